using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace ActorMesh.Routing;

/// <summary>xxHash64 with seed 0, the hash Envoy's <c>HashUtil::xxHash64</c> gives a hash policy's input.</summary>
public static class XxHash64
{
    private const ulong P1 = 0x9E3779B185EBCA87UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong P3 = 0x165667B19E3779F9UL;
    private const ulong P4 = 0x85EBCA77C2B2AE63UL;
    private const ulong P5 = 0x27D4EB2F165667C5UL;

    // Header, cookie and address values are short; longer ones take a pooled buffer.
    private const int StackLimit = 256;

    public static ulong Hash(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= StackLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLimit];
            var n = Encoding.UTF8.GetBytes(value, buffer);
            return Hash(buffer[..n]);
        }
        return Hash(Encoding.UTF8.GetBytes(value));
    }

    public static ulong Hash(ReadOnlySpan<byte> input)
    {
        var length = (ulong)input.Length;
        ulong h;
        if (input.Length >= 32)
        {
            ulong v1 = unchecked(P1 + P2), v2 = P2, v3 = 0, v4 = unchecked(0 - P1);
            while (input.Length >= 32)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(input));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(input[8..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(input[16..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(input[24..]));
                input = input[32..];
            }
            h = unchecked(BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18));
            h = Merge(h, v1);
            h = Merge(h, v2);
            h = Merge(h, v3);
            h = Merge(h, v4);
        }
        else
        {
            h = P5;
        }
        unchecked
        {
            h += length;
            while (input.Length >= 8)
            {
                h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(input));
                h = BitOperations.RotateLeft(h, 27) * P1 + P4;
                input = input[8..];
            }
            if (input.Length >= 4)
            {
                h ^= BinaryPrimitives.ReadUInt32LittleEndian(input) * P1;
                h = BitOperations.RotateLeft(h, 23) * P2 + P3;
                input = input[4..];
            }
            foreach (var b in input)
            {
                h ^= b * P5;
                h = BitOperations.RotateLeft(h, 11) * P1;
            }
            h ^= h >> 33;
            h *= P2;
            h ^= h >> 29;
            h *= P3;
            h ^= h >> 32;
        }
        return h;
    }

    private static ulong Round(ulong acc, ulong input) => unchecked(BitOperations.RotateLeft(acc + input * P2, 31) * P1);

    private static ulong Merge(ulong h, ulong v) => unchecked((h ^ Round(0, v)) * P1 + P4);
}
