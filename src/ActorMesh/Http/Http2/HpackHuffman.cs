namespace ActorMesh.Http.Http2;

/// <summary>
/// The Huffman code of RFC 7541 Appendix B. It is canonical, so the code lengths alone define it: codes of one length
/// are consecutive in symbol order and each length's first code follows the previous length's last. Decoding walks
/// the bits with that structure, so no 257-entry code table is needed.
/// </summary>
internal static class HpackHuffman
{
    private const int Eos = 256;
    private const int MaxCodeLength = 30;

    /// <summary>Code length in bits of each symbol 0–255 and EOS (256), from RFC 7541 Appendix B.</summary>
    private static readonly byte[] CodeLengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // ' ' to '/'
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // '0' to '?'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // '@' to 'O'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 'P' to '_'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // '`' to 'o'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 'p' to 127
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
        30, // EOS
    ];

    // Per code length: the first code of that length, how many codes have it, and where its symbols start in Symbols.
    private static readonly int[] FirstCode = new int[MaxCodeLength + 1];
    private static readonly int[] CountOfLength = new int[MaxCodeLength + 1];
    private static readonly int[] FirstIndex = new int[MaxCodeLength + 1];
    private static readonly short[] Symbols = new short[257];

    static HpackHuffman()
    {
        foreach (var length in CodeLengths)
        {
            CountOfLength[length]++;
        }
        var code = 0;
        var index = 0;
        for (var length = 1; length <= MaxCodeLength; length++)
        {
            FirstCode[length] = code;
            FirstIndex[length] = index;
            code = (code + CountOfLength[length]) << 1;
            index += CountOfLength[length];
        }
        var next = (int[])FirstIndex.Clone();
        for (short symbol = 0; symbol <= Eos; symbol++)
        {
            Symbols[next[CodeLengths[symbol]]++] = symbol;
        }
    }

    /// <summary>The code of <paramref name="symbol"/>, right-aligned, with its length: for tests against the RFC's table.</summary>
    internal static (uint Code, int Length) Code(int symbol)
    {
        var length = CodeLengths[symbol];
        var rank = Array.IndexOf(Symbols, (short)symbol, FirstIndex[length], CountOfLength[length]) - FirstIndex[length];
        return ((uint)(FirstCode[length] + rank), length);
    }

    /// <summary>
    /// Decodes <paramref name="input"/> into <paramref name="output"/> (Latin-1 octets); false when it is not a valid
    /// encoding: EOS inside the string, or padding longer than 7 bits or not made of the EOS code's leading ones
    /// (RFC 7541 §5.2).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, List<byte> output)
    {
        var code = 0;
        var length = 0;
        foreach (var octet in input)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | ((octet >> bit) & 1);
                length++;
                var offset = code - FirstCode[length];
                if (offset >= 0 && offset < CountOfLength[length])
                {
                    var symbol = Symbols[FirstIndex[length] + offset];
                    if (symbol == Eos)
                    {
                        return false;
                    }
                    output.Add((byte)symbol);
                    code = 0;
                    length = 0;
                }
                else if (length == MaxCodeLength)
                {
                    return false;
                }
            }
        }
        // What is left must be a strict prefix of EOS (all ones), shorter than an octet.
        return length < 8 && code == (1 << length) - 1;
    }
}
