using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ActorMesh.Http;

/// <summary>
/// Envoy's <c>x-request-id</c>: a random UUID (version 4). Request ids need to be unique, not unguessable, so they
/// come from a fast non-cryptographic generator instead of <see cref="Guid.NewGuid"/>'s system call per request.
/// </summary>
public static class RequestId
{
    public static string Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    /// <summary>
    /// Envoy's UUID request id extension <c>toInteger</c>: the id's first 8 hex digits, which tracing and runtime
    /// sampling take modulo their denominator so that every hop decides alike; false when they are not hex.
    /// </summary>
    public static bool TryGetInteger([NotNullWhen(true)] string? requestId, out ulong value)
    {
        value = 0;
        return requestId is { Length: >= 8 }
            && ulong.TryParse(requestId.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
