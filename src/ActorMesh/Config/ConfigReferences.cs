using YamlDotNet.Core;

namespace ActorMesh.Config;

/// <summary>A value from the file with where it was written, for errors found only after the whole file is read.</summary>
internal sealed record Located<T>(T Value, string Path, Mark Mark);

/// <summary>A domain claimed by a virtual host.</summary>
internal sealed record DomainClaim(string Domain, string VirtualHost, string Path, Mark Mark);

/// <summary>The names, addresses and references the cross-reference checks compare, with their positions.</summary>
internal sealed class ConfigReferences
{
    public List<Located<string>> ListenerNames { get; } = [];

    public List<Located<SocketAddressConfig>> ListenerAddresses { get; } = [];

    public List<Located<string>> ClusterNames { get; } = [];

    public List<Located<string>> ClusterReferences { get; } = [];

    /// <summary>One list per route configuration: domains must be unique within a route configuration only.</summary>
    public List<List<DomainClaim>> RouteConfigurationDomains { get; } = [];

    public List<DomainClaim> BeginRouteConfiguration()
    {
        var domains = new List<DomainClaim>();
        RouteConfigurationDomains.Add(domains);
        return domains;
    }
}
