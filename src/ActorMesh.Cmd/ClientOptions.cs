using System.Globalization;

namespace ActorMesh.Cmd;

/// <summary>
/// <c>actormesh-cmd [--json] [--token-file FILE] HOST:PORT [COMMAND…]</c>. The client's own options may stand anywhere;
/// everything else after HOST:PORT is the command, parsed against the node's palettes; without one, the prompt.
/// </summary>
internal sealed record ClientOptions(string Host, int Port, IReadOnlyList<string> Command, bool Json, string? TokenFile)
{
    public const string TokenVariable = "ACTORMESH_CMD_TOKEN";

    public const string Usage = """
        usage: actormesh-cmd [--json] [--token-file FILE] HOST:PORT [COMMAND [ARGUMENTS…]]
          Runs one command on the node's command host (default port 9110) and exits with its status.
          Without a command: a prompt (Tab completes, up/down walk the history, help lists the commands,
          Ctrl-D leaves); with standard input piped, one command a line, exit status that of the last that failed.
          --json: one JSON object a line (rows, lines, errors) instead of tables.
          --token-file FILE: the host's token (first line); else ACTORMESH_CMD_TOKEN.
          Ctrl-C stops a long-running command (cluster tail, mesh top).
        examples: actormesh-cmd 127.0.0.1:9110 cluster show
                  actormesh-cmd 127.0.0.1:9110 mesh stats --filter '^cluster\.' --cluster-wide
                  actormesh-cmd 127.0.0.1:9110 config apply envoy.yaml --comment "new route"
                  actormesh-cmd 127.0.0.1:9110 help mesh stats
                  actormesh-cmd 127.0.0.1:9110
        """;

    /// <summary>HOST:PORT as typed, an IPv6 host in brackets.</summary>
    public string Endpoint => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static ClientOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var json = false;
        string? tokenFile = null;
        string? endpoint = null;
        var command = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--token-file" when i + 1 < args.Count:
                    tokenFile = args[++i];
                    break;
                case "--token-file":
                    error = "--token-file needs a FILE";
                    return null;
                case "-h" or "--help" when endpoint is null:
                    error = string.Empty;
                    return null;
                case var word when endpoint is null:
                    endpoint = word;
                    break;
                case var word:
                    command.Add(word);
                    break;
            }
        }
        if (endpoint is null)
        {
            error = "HOST:PORT is missing";
            return null;
        }
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is 0 or > 65535)
        {
            error = $"'{endpoint}' is not HOST:PORT";
            return null;
        }
        return new ClientOptions(endpoint[..colon].Trim('[', ']'), port, command, json, tokenFile);
    }

    /// <summary>From <see cref="TokenFile"/> (its first line), else the environment; null when neither gives one.</summary>
    public string? Token(Func<string, string?> environment) =>
        TokenFile is not null
            ? File.ReadLines(TokenFile).FirstOrDefault()?.Trim()
            : environment(TokenVariable) is { Length: > 0 } token ? token.Trim() : null;
}
