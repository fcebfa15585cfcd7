namespace ActorMesh.Http.Http2;

/// <summary>RFC 7541 Appendix A: the 61 entries every HPACK context starts with, indices 1–61.</summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    private static readonly HttpHeader[] Entries =
    [
        new(":authority", ""),
        new(":method", "GET"),
        new(":method", "POST"),
        new(":path", "/"),
        new(":path", "/index.html"),
        new(":scheme", "http"),
        new(":scheme", "https"),
        new(":status", "200"),
        new(":status", "204"),
        new(":status", "206"),
        new(":status", "304"),
        new(":status", "400"),
        new(":status", "404"),
        new(":status", "500"),
        new("accept-charset", ""),
        new("accept-encoding", "gzip, deflate"),
        new("accept-language", ""),
        new("accept-ranges", ""),
        new("accept", ""),
        new("access-control-allow-origin", ""),
        new("age", ""),
        new("allow", ""),
        new("authorization", ""),
        new("cache-control", ""),
        new("content-disposition", ""),
        new("content-encoding", ""),
        new("content-language", ""),
        new("content-length", ""),
        new("content-location", ""),
        new("content-range", ""),
        new("content-type", ""),
        new("cookie", ""),
        new("date", ""),
        new("etag", ""),
        new("expect", ""),
        new("expires", ""),
        new("from", ""),
        new("host", ""),
        new("if-match", ""),
        new("if-modified-since", ""),
        new("if-none-match", ""),
        new("if-range", ""),
        new("if-unmodified-since", ""),
        new("last-modified", ""),
        new("link", ""),
        new("location", ""),
        new("max-forwards", ""),
        new("proxy-authenticate", ""),
        new("proxy-authorization", ""),
        new("range", ""),
        new("referer", ""),
        new("refresh", ""),
        new("retry-after", ""),
        new("server", ""),
        new("set-cookie", ""),
        new("strict-transport-security", ""),
        new("transfer-encoding", ""),
        new("user-agent", ""),
        new("vary", ""),
        new("via", ""),
        new("www-authenticate", ""),
    ];

    // The encoder's lookups: a name's first index, and the index of a full name-value match.
    private static readonly Dictionary<string, int> NameIndex = BuildNameIndex();
    private static readonly Dictionary<(string, string), int> FieldIndex = BuildFieldIndex();

    /// <summary>The entry at a 1-based index.</summary>
    public static HttpHeader Get(int index) => Entries[index - 1];

    public static int IndexOfName(string name) => NameIndex.GetValueOrDefault(name);

    public static int IndexOfField(string name, string value) => FieldIndex.GetValueOrDefault((name, value));

    private static Dictionary<string, int> BuildNameIndex()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Entries.Length; i++)
        {
            index.TryAdd(Entries[i].Name, i + 1);
        }
        return index;
    }

    private static Dictionary<(string, string), int> BuildFieldIndex()
    {
        var index = new Dictionary<(string, string), int>();
        for (var i = 0; i < Entries.Length; i++)
        {
            if (Entries[i].Value.Length > 0)
            {
                index[(Entries[i].Name, Entries[i].Value)] = i + 1;
            }
        }
        return index;
    }
}
