using System.Net;
using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.Routing;

/// <summary>
/// A route's <c>hash_policy</c> list (Envoy's <c>HashPolicyImpl</c>): each policy that yields a value is folded into
/// the hash (rotate left by one, xor); a <c>terminal</c> policy that yielded stops the list. Null when none yielded,
/// and the load balancer then picks as if there were no policy.
/// </summary>
public sealed class HashPolicy
{
    private readonly HashPolicyConfig[] _policies;

    public HashPolicy(IEnumerable<HashPolicyConfig> policies) => _policies = policies.ToArray();

    public bool IsEmpty => _policies.Length == 0;

    public ulong? Compute(HttpRequestHead request, IPAddress? sourceIp)
    {
        ulong? hash = null;
        foreach (var policy in _policies)
        {
            if (Evaluate(policy, request, sourceIp) is { } value)
            {
                hash = hash is { } h ? ((h << 1) | (h >> 63)) ^ value : value;
            }
            if (policy.Terminal && hash is not null)
            {
                break;
            }
        }
        return hash;
    }

    private static ulong? Evaluate(HashPolicyConfig policy, HttpRequestHead request, IPAddress? sourceIp) => policy.Kind switch
    {
        HashPolicyKind.Header => HeaderValue(request.Headers, policy.Name) is { } value ? XxHash64.Hash(value) : null,
        HashPolicyKind.Cookie => Cookie(request.Headers, policy.Name) is { } cookie ? XxHash64.Hash(cookie) : null,
        HashPolicyKind.SourceIp => sourceIp is null ? null : XxHash64.Hash(sourceIp.ToString()),
        _ => QueryString.Find(request.Target, policy.Name) is { } param ? XxHash64.Hash(param) : null,
    };

    /// <summary>Pseudo-headers map to the HTTP/1.1 request (<c>:authority</c> is Host, <c>:path</c> the target).</summary>
    private static string? HeaderValue(HttpHeaders headers, string name) => name switch
    {
        ":authority" => headers.Get("host"),
        _ => headers.Get(name),
    };

    private static string? Cookie(HttpHeaders headers, string name)
    {
        foreach (var header in headers.GetAll("cookie"))
        {
            foreach (var part in header.Split(';'))
            {
                var pair = part.AsSpan().Trim();
                var eq = pair.IndexOf('=');
                if (eq > 0 && pair[..eq].SequenceEqual(name))
                {
                    return pair[(eq + 1)..].Trim('"').ToString();
                }
            }
        }
        return null;
    }
}
