namespace ActorMesh.Http.Http2;

internal enum HpackDecodeStatus
{
    Ok,
    /// <summary>Not valid HPACK: a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3).</summary>
    CompressionError,
    /// <summary>The decoded list is larger than the limit (Envoy's <c>header_overflow</c>); the table is intact.</summary>
    TooLarge,
}

/// <summary>
/// Decodes header blocks (RFC 7541): indexed fields, literals with or without indexing, dynamic table size updates
/// and Huffman-coded strings. One decoder per connection, since its dynamic table spans the connection's blocks.
/// After a compression error its table no longer matches the peer's, so the connection must not be used again.
/// </summary>
internal sealed class HpackDecoder
{
    private const int EntryOverhead = 32;

    private readonly HpackDynamicTable _table;
    private readonly List<byte> _huffman = new(64);

    /// <param name="maxTableSize">The largest table size the peer may choose (our SETTINGS_HEADER_TABLE_SIZE).</param>
    public HpackDecoder(int maxTableSize)
    {
        MaxTableSize = maxTableSize;
        _table = new HpackDynamicTable(maxTableSize);
    }

    /// <summary>What a dynamic table size update may ask for; changes when our SETTINGS are acknowledged.</summary>
    public int MaxTableSize { get; set; }

    internal HpackDynamicTable Table => _table;

    /// <summary>Decodes one complete block into <paramref name="output"/>, counting sizes as RFC 9113 §6.5.2 does.</summary>
    public HpackDecodeStatus Decode(ReadOnlySpan<byte> block, List<HttpHeader> output, int maxListSize)
    {
        var listSize = 0;
        var fieldSeen = false;
        while (!block.IsEmpty)
        {
            var first = block[0];
            HttpHeader field;
            if ((first & 0x80) != 0)
            {
                if (!TryInteger(ref block, 7, out var index) || !TryEntry(index, out field))
                {
                    return HpackDecodeStatus.CompressionError;
                }
            }
            else if ((first & 0xe0) == 0x20)
            {
                // A size update may only open a block (RFC 7541 §4.2).
                if (fieldSeen || !TryInteger(ref block, 5, out var size) || size > MaxTableSize)
                {
                    return HpackDecodeStatus.CompressionError;
                }
                _table.SetMaxSize(size);
                continue;
            }
            else
            {
                var indexing = (first & 0xc0) == 0x40;
                if (!TryInteger(ref block, indexing ? 6 : 4, out var nameIndex))
                {
                    return HpackDecodeStatus.CompressionError;
                }
                string name;
                if (nameIndex == 0)
                {
                    if (!TryString(ref block, out name))
                    {
                        return HpackDecodeStatus.CompressionError;
                    }
                }
                else if (TryEntry(nameIndex, out var named))
                {
                    name = named.Name;
                }
                else
                {
                    return HpackDecodeStatus.CompressionError;
                }
                if (!TryString(ref block, out var value))
                {
                    return HpackDecodeStatus.CompressionError;
                }
                field = new HttpHeader(name, value);
                if (indexing)
                {
                    _table.Add(field);
                }
            }
            fieldSeen = true;
            listSize += field.Name.Length + field.Value.Length + EntryOverhead;
            if (listSize <= maxListSize)
            {
                output.Add(field);
            }
        }
        // A block over the limit is still decoded to its end, so the dynamic table stays in step with the peer's.
        return listSize > maxListSize ? HpackDecodeStatus.TooLarge : HpackDecodeStatus.Ok;
    }

    private bool TryEntry(int index, out HttpHeader field)
    {
        if (index is > 0 and <= HpackStaticTable.Count)
        {
            field = HpackStaticTable.Get(index);
            return true;
        }
        var dynamicIndex = index - HpackStaticTable.Count;
        if (dynamicIndex > 0 && dynamicIndex <= _table.Count)
        {
            field = _table[dynamicIndex];
            return true;
        }
        field = default;
        return false;
    }

    /// <summary>An N-bit prefix integer (RFC 7541 §5.1), at most int.MaxValue.</summary>
    internal static bool TryInteger(ref ReadOnlySpan<byte> input, int prefixBits, out int value)
    {
        var max = (1 << prefixBits) - 1;
        value = input[0] & max;
        input = input[1..];
        if (value < max)
        {
            return true;
        }
        long total = value;
        for (var shift = 0; shift <= 28; shift += 7)
        {
            if (input.IsEmpty)
            {
                return false;
            }
            var octet = input[0];
            input = input[1..];
            total += (long)(octet & 0x7f) << shift;
            if (total > int.MaxValue)
            {
                return false;
            }
            if ((octet & 0x80) == 0)
            {
                value = (int)total;
                return true;
            }
        }
        return false;
    }

    private bool TryString(ref ReadOnlySpan<byte> input, out string value)
    {
        value = string.Empty;
        if (input.IsEmpty)
        {
            return false;
        }
        var huffman = (input[0] & 0x80) != 0;
        if (!TryInteger(ref input, 7, out var length) || length > input.Length)
        {
            return false;
        }
        var raw = input[..length];
        input = input[length..];
        if (!huffman)
        {
            value = System.Text.Encoding.Latin1.GetString(raw);
            return true;
        }
        _huffman.Clear();
        if (!HpackHuffman.TryDecode(raw, _huffman))
        {
            return false;
        }
        value = System.Text.Encoding.Latin1.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_huffman));
        return true;
    }
}
