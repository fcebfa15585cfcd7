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
}
