using System.Buffers;
using System.Text;

namespace ActorMesh.Http.Http2;

/// <summary>
/// Encodes header blocks without a dynamic table: static-table matches as indexed fields, everything else as
/// literals without indexing (never indexed for credentials, RFC 7541 §7.1.3), strings as raw octets. Every
/// connection's first block announces a table size of 0, so whatever SETTINGS_HEADER_TABLE_SIZE the peer sets
/// later, the encoder is already within it (RFC 7541 §4.2).
/// </summary>
internal sealed class HpackEncoder
{
    private bool _announceTableSize = true;

    /// <summary>The peer changed SETTINGS_HEADER_TABLE_SIZE: the next block opens with a size update again.</summary>
    public void OnPeerTableSizeChanged() => _announceTableSize = true;

    public void Encode(IReadOnlyList<HttpHeader> fields, ArrayBufferWriter<byte> output)
    {
        if (_announceTableSize)
        {
            WriteInteger(output, 0x20, 5, 0);
            _announceTableSize = false;
        }
        foreach (var field in fields)
        {
            var index = HpackStaticTable.IndexOfField(field.Name, field.Value);
            if (index > 0)
            {
                WriteInteger(output, 0x80, 7, index);
                continue;
            }
            var pattern = IsSensitive(field.Name) ? (byte)0x10 : (byte)0x00;
            var nameIndex = HpackStaticTable.IndexOfName(field.Name);
            WriteInteger(output, pattern, 4, nameIndex);
            if (nameIndex == 0)
            {
                WriteString(output, field.Name);
            }
            WriteString(output, field.Value);
        }
    }

    private static bool IsSensitive(string name) => name is "authorization" or "proxy-authorization";

    internal static void WriteInteger(ArrayBufferWriter<byte> output, byte pattern, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        var span = output.GetSpan(6);
        if (value < max)
        {
            span[0] = (byte)(pattern | value);
            output.Advance(1);
            return;
        }
        span[0] = (byte)(pattern | max);
        var written = 1;
        value -= max;
        while (value >= 0x80)
        {
            span[written++] = (byte)((value & 0x7f) | 0x80);
            value >>= 7;
        }
        span[written++] = (byte)value;
        output.Advance(written);
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        WriteInteger(output, 0x00, 7, value.Length);
        output.Advance(Encoding.Latin1.GetBytes(value, output.GetSpan(value.Length)));
    }
}
