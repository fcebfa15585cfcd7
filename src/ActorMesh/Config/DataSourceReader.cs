namespace ActorMesh.Config;

/// <summary>
/// Envoy's <c>config.core.v3.DataSource</c> read once at load, as Envoy's <c>DataSource::read</c> does:
/// <c>inline_string</c>, <c>inline_bytes</c> (base64, taken as UTF-8 text) or <c>filename</c> (the file's content now;
/// a later change to the file needs a new config version). <c>environment_variable</c> is rejected.
/// </summary>
internal static class DataSourceReader
{
    private static readonly string[] Specifiers = ["inline_string", "inline_bytes", "filename", "environment_variable"];

    /// <summary>The text, or null when the source is invalid (reported at its path).</summary>
    public static string? Read(YamlMap source, ConfigReadContext context)
    {
        if (!source.TryOneOf(Specifiers, out var key))
        {
            return null;
        }
        switch (key)
        {
            case null:
                source.Error("one of inline_string, inline_bytes or filename is required");
                return null;
            case "inline_string":
                return source.Scalar(key);
            case "inline_bytes":
                return source.Scalar(key) is { } base64 ? FromBase64(source, key, base64) : null;
            case "filename":
                return source.RequiredScalar(key) is { } path ? FromFile(source, key, path) : null;
            default:
                source.Take(key);
                context.Unsupported(source.ChildPath(key), source.KeyMark(key), $"unsupported field '{key}'");
                return null;
        }
    }

    private static string? FromBase64(YamlMap source, string key, string base64)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            source.Error(key, "invalid base64");
            return null;
        }
    }

    private static string? FromFile(YamlMap source, string key, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            source.Error(key, $"cannot read '{path}': {e.Message}");
            return null;
        }
    }
}
