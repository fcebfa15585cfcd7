using System.Globalization;

namespace ActorMesh.Tracing;

/// <summary>A trace id: 128 bits, of which 64-bit (B3) trace ids use only <see cref="Low"/>.</summary>
public readonly record struct TraceId(ulong High, ulong Low)
{
    public bool IsValid => High != 0 || Low != 0;

    /// <summary>32 hex digits, or 16 when <paramref name="wide"/> is false and the id fits in 64 bits.</summary>
    public string ToHex(bool wide = true) => wide || High != 0 ? $"{High:x16}{Low:x16}" : $"{Low:x16}";

    public static TraceId New(bool wide) => new(wide ? SpanIds.Next() : 0, SpanIds.Next());

    /// <summary>16 or 32 lowercase hex digits (B3 also allows 16); all zeros is invalid.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out TraceId id)
    {
        id = default;
        if (hex.Length == 32 && SpanIds.TryParse(hex[..16], out var high) && SpanIds.TryParse(hex[16..], out var low))
        {
            id = new TraceId(high, low);
        }
        else if (hex.Length == 16 && SpanIds.TryParse(hex, out var only))
        {
            id = new TraceId(0, only);
        }
        return id.IsValid;
    }
}

/// <summary>Random span ids and their hex form; zero means "none" in both W3C and B3.</summary>
public static class SpanIds
{
    public static ulong Next()
    {
        ulong id;
        do
        {
            id = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        }
        while (id == 0);
        return id;
    }

    public static string ToHex(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Exactly 16 lowercase hex digits (W3C forbids uppercase; B3 writes lowercase).</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out ulong id)
    {
        id = 0;
        if (hex.Length != 16)
        {
            return false;
        }
        foreach (var c in hex)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id);
    }
}

/// <summary>
/// What a request carried in from the caller's trace: the trace, the caller's span (<see cref="SpanId"/>, the parent
/// of ours) and its parent, and the caller's sampling decision when it made one.
/// </summary>
public readonly record struct SpanContext(TraceId TraceId, ulong SpanId, ulong ParentSpanId, bool? Sampled)
{
    public bool HasIds => TraceId.IsValid && SpanId != 0;
}
