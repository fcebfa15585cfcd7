namespace ActorMesh.Http;

public readonly record struct HttpHeader(string Name, string Value);

/// <summary>An HTTP header section in wire order; names compare case-insensitively (RFC 9110 §5.1).</summary>
public sealed class HttpHeaders
{
    private readonly List<HttpHeader> _items;

    public HttpHeaders(int capacity = 16) => _items = new List<HttpHeader>(capacity);

    public int Count => _items.Count;

    public IReadOnlyList<HttpHeader> Items => _items;

    public void Add(string name, string value) => _items.Add(new HttpHeader(name, value));

    public string? Get(string name)
    {
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }
        return null;
    }

    public int CountOf(string name)
    {
        var n = 0;
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }
        return n;
    }

    public IEnumerable<string> GetAll(string name) =>
        _items.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public void Remove(string name) => _items.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));

    public void Set(string name, string value)
    {
        Remove(name);
        Add(name, value);
    }

    /// <summary>True when a comma-separated field (Connection) lists <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var value in GetAll(name))
        {
            foreach (var part in value.Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// Removes the hop-by-hop fields of RFC 9110 §7.6.1, including every field the Connection header names, so that
    /// they never cross the proxy; the proxy's own headers are added after this.
    /// </summary>
    public void RemoveHopByHop()
    {
        foreach (var value in GetAll("connection").ToList())
        {
            foreach (var part in value.Split(','))
            {
                var named = part.Trim();
                if (named.Length > 0)
                {
                    Remove(named);
                }
            }
        }
        Remove("connection");
        Remove("keep-alive");
        Remove("proxy-connection");
        Remove("transfer-encoding");
        Remove("upgrade");
        Remove("te");
    }
}
