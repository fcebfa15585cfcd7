using System.Text;

namespace ActorMesh.Admin;

/// <summary>
/// Envoy's <c>/logging</c>: <c>?level=</c> sets every logger, <c>?&lt;logger&gt;=&lt;level&gt;</c> one,
/// <c>?paths=a:debug,b:info</c> several; the answer lists the active loggers. A bad request gets Envoy's usage and 404.
/// </summary>
internal static class LoggingEndpoint
{
    /// <summary>spdlog's level names, which Envoy accepts and prints.</summary>
    public static readonly IReadOnlyList<string> Levels = ["trace", "debug", "info", "warning", "error", "critical", "off"];

    public static AdminResponse Handle(AdminContext context, AdminQuery query)
    {
        var ok = query.IsEmpty || Change(context.Logging, query);
        var sb = new StringBuilder();
        if (!ok)
        {
            sb.Append("usage: /logging?<name>=<level> (change single level)\n")
                .Append("usage: /logging?paths=name1:level1,name2:level2,... (change multiple levels)\n")
                .Append("usage: /logging?level=<level> (change all levels)\n")
                .Append("levels: ").Append(string.Concat(Levels.Select(l => l + " "))).Append('\n');
        }
        sb.Append("active loggers:\n");
        foreach (var (name, level) in context.Logging.Loggers)
        {
            sb.Append("  ").Append(name).Append(": ").Append(level).Append('\n');
        }
        sb.Append('\n');
        return AdminEndpoints.Text(sb.ToString(), ok ? 200 : 404);
    }

    private static bool Change(ILogLevels logging, AdminQuery query)
    {
        // Envoy takes one parameter per request: level, paths, or a single logger name.
        if (query.All.Count != 1)
        {
            return false;
        }
        var (key, value) = query.All[0];
        if (key == "level")
        {
            return Levels.Contains(value) && logging.TrySetLevel(null, value);
        }
        if (key == "paths")
        {
            var pairs = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(':')).ToList();
            if (pairs.Count == 0 || pairs.Any(p => p.Length != 2 || !Levels.Contains(p[1]) || logging.Loggers.All(l => l.Key != p[0])))
            {
                return false;
            }
            return pairs.All(p => logging.TrySetLevel(p[0], p[1]));
        }
        return Levels.Contains(value) && logging.TrySetLevel(key, value);
    }
}
