using System.Net;
using ActorMesh.Config;

namespace ActorMesh.Mesh;

/// <summary>
/// A node's own settings laid over whatever config it serves: <c>--admin-address</c> replaces the admin block's address,
/// and <c>--bind-address</c> binds listeners configured on a wildcard address (<c>0.0.0.0</c>, <c>::</c>) to one
/// interface, so one config serves hosts with several interfaces and several nodes can share one test host.
/// </summary>
public sealed record NodeOverrides(SocketAddressConfig? AdminAddress, string? BindAddress)
{
    public static NodeOverrides None { get; } = new(null, null);

    public BootstrapConfig Apply(BootstrapConfig config)
    {
        var result = config;
        if (AdminAddress is not null)
        {
            result = result with { Admin = new AdminConfig(AdminAddress, config.Admin?.AccessLogPath) };
        }
        if (BindAddress is not null)
        {
            var listeners = config.StaticResources.Listeners
                .Select(l => IsWildcard(l.Address.Address) ? l with { Address = l.Address with { Address = BindAddress } } : l)
                .ToEquatableArray();
            result = result with { StaticResources = config.StaticResources with { Listeners = listeners } };
        }
        return result;
    }

    private static bool IsWildcard(string address) =>
        IPAddress.TryParse(address, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));
}
