namespace ActorMesh.Http.Http2;

/// <summary>
/// The decoder's dynamic table (RFC 7541 §2.3.2, §4): newest entry first, each entry costing its name and value
/// octets plus 32, oldest entries evicted to stay within the maximum size. A ring buffer, so insertion and eviction
/// never move entries.
/// </summary>
internal sealed class HpackDynamicTable
{
    private const int EntryOverhead = 32;

    private HttpHeader[] _ring = new HttpHeader[16];
    private int _newest = -1;
    private int _count;

    public HpackDynamicTable(int maxSize) => MaxSize = maxSize;

    public int Count => _count;

    /// <summary>The table's size in RFC 7541 octets.</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    /// <summary>Entry 1 is the newest (HPACK index 62).</summary>
    public HttpHeader this[int index] => _ring[(_newest - (index - 1) + _ring.Length) % _ring.Length];

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        EvictTo(maxSize);
    }

    /// <summary>Adds an entry; one larger than the whole table empties it and is not added (RFC 7541 §4.4).</summary>
    public void Add(HttpHeader header)
    {
        var size = EntrySize(header);
        if (size > MaxSize)
        {
            EvictTo(0);
            return;
        }
        EvictTo(MaxSize - size);
        if (_count == _ring.Length)
        {
            Grow();
        }
        _newest = (_newest + 1) % _ring.Length;
        _ring[_newest] = header;
        _count++;
        Size += size;
    }

    // Names and values are Latin-1 strings decoded one octet per char, so Length is the octet count.
    private static int EntrySize(HttpHeader header) => header.Name.Length + header.Value.Length + EntryOverhead;

    private void EvictTo(int size)
    {
        while (Size > size && _count > 0)
        {
            var oldest = (_newest - (_count - 1) + _ring.Length) % _ring.Length;
            Size -= EntrySize(_ring[oldest]);
            _ring[oldest] = default;
            _count--;
        }
    }

    private void Grow()
    {
        var larger = new HttpHeader[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            // Oldest first, so the newest ends at _count - 1.
            larger[i] = this[_count - i];
        }
        _ring = larger;
        _newest = _count - 1;
    }
}
