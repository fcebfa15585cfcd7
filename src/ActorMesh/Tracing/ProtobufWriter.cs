using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ActorMesh.Tracing;

/// <summary>
/// Just the protocol buffers wire format OTLP needs (varints, fixed64, length-delimited fields). A nested message is
/// written to its own writer first, because its length precedes it.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintType = 0;
    private const int Fixed64Type = 1;
    private const int LengthDelimitedType = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void Varint(int field, ulong value)
    {
        Tag(field, VarintType);
        WriteVarint(value);
    }

    public void Fixed64(int field, ulong value)
    {
        Tag(field, Fixed64Type);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedType);
        WriteVarint((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void String(int field, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Tag(field, LengthDelimitedType);
        WriteVarint((ulong)count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }

    public void Message(int field, ProtobufWriter message) => Bytes(field, message.WrittenSpan);

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
