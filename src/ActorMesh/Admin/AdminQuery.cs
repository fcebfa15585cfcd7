namespace ActorMesh.Admin;

/// <summary>
/// A request target's query string decoded as Envoy's <c>parseAndDecodeQueryString</c> does: <c>?graceful</c> is present
/// with an empty value, <c>+</c> is a space, the first of repeated keys wins.
/// </summary>
public sealed class AdminQuery
{
    private readonly List<KeyValuePair<string, string>> _params;

    private AdminQuery(List<KeyValuePair<string, string>> parameters) => _params = parameters;

    public static AdminQuery Parse(string query)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            if (key.Length > 0)
            {
                parameters.Add(KeyValuePair.Create(key, value));
            }
        }
        return new AdminQuery(parameters);
    }

    /// <summary>Every parameter in request order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All => _params;

    public bool IsEmpty => _params.Count == 0;

    public bool Has(string key) => _params.Exists(p => p.Key == key);

    public string? Get(string key)
    {
        var i = _params.FindIndex(p => p.Key == key);
        return i < 0 ? null : _params[i].Value;
    }

    private static string Decode(string part) => Uri.UnescapeDataString(part.Replace('+', ' '));
}
