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

    public IEnumerable<string> GetAll(string name)
    {
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                yield return h.Value;
            }
        }
    }

    public void Remove(string name)
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                _items.RemoveAt(i);
            }
        }
    }

    public bool HasNameStartingWith(string prefix)
    {
        foreach (var h in _items)
        {
            if (h.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public bool HasNameContaining(char c)
    {
        foreach (var h in _items)
        {
            if (h.Name.Contains(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Removes every field whose name contains <paramref name="c"/>; returns how many went.</summary>
    public int RemoveNamesContaining(char c) => _items.RemoveAll(h => h.Name.Contains(c));

    public void Set(string name, string value)
    {
        Remove(name);
        Add(name, value);
    }

    /// <summary>True when a comma-separated field (Connection) lists <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase) && ListContains(h.Value, token))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Removes the hop-by-hop fields of RFC 9110 §7.6.1, including every field the Connection header names, so that
    /// they never cross the proxy; the proxy's own headers are added after this. One pass when Connection is absent,
    /// which is the common case.
    /// </summary>
    public void RemoveHopByHop()
    {
        List<string>? named = null;
        var keepTrailers = false;
        foreach (var h in _items)
        {
            if (h.Name.Length == 2 && h.Name.Equals("te", StringComparison.OrdinalIgnoreCase) && ListContains(h.Value, "trailers"))
            {
                // Envoy forwards "te: trailers" (gRPC needs it) and drops every other transfer coding the client accepts.
                keepTrailers = true;
            }
            if (string.Equals(h.Name, "connection", StringComparison.OrdinalIgnoreCase))
            {
                named ??= new List<string>();
                foreach (var part in h.Value.Split(','))
                {
                    var field = part.Trim();
                    if (field.Length > 0)
                    {
                        named.Add(field);
                    }
                }
            }
        }
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            var name = _items[i].Name;
            if (IsHopByHop(name) || (named is not null && named.Exists(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))))
            {
                _items.RemoveAt(i);
            }
        }
        if (keepTrailers)
        {
            _items.Add(new HttpHeader("te", "trailers"));
        }
    }

    private static bool IsHopByHop(string name) =>
        name.Length switch
        {
            2 => name.Equals("te", StringComparison.OrdinalIgnoreCase),
            7 => name.Equals("upgrade", StringComparison.OrdinalIgnoreCase),
            10 => name.Equals("connection", StringComparison.OrdinalIgnoreCase) || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase),
            16 => name.Equals("proxy-connection", StringComparison.OrdinalIgnoreCase),
            17 => name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };

    private static bool ListContains(string list, string token)
    {
        foreach (var part in list.Split(','))
        {
            if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
