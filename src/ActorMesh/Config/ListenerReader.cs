namespace ActorMesh.Config;

/// <summary>Envoy's <c>Listener</c>, its filter chains and their network filters.</summary>
internal static class ListenerReader
{
    public static ListenerConfig? Read(SequenceItem item, int index, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } listener)
        {
            return null;
        }
        var givenName = listener.Scalar("name");
        var address = SocketAddressReader.ReadRequired(listener, "address", AddressRules.Bind);
        var bufferLimit = listener.Integer("per_connection_buffer_limit_bytes", 1, int.MaxValue);
        var filterChains = ReadResults.AllOrNull(
            listener.RequiredSequence("filter_chains", "default_filter_chain").Select(chain => ReadFilterChain(chain, context)));

        // v2 files often leave listeners unnamed; the generated name is what Envoy's admin pages would show.
        var name = string.IsNullOrEmpty(givenName) ? $"listener_{index}" : givenName;
        context.References.ListenerNames.Add(string.IsNullOrEmpty(givenName)
            ? new Located<string>(name, listener.Path, listener.Start)
            : new Located<string>(name, listener.ChildPath("name"), listener.KeyMark("name")));
        if (address is null || filterChains is null)
        {
            return null;
        }
        context.References.ListenerAddresses.Add(
            new Located<SocketAddressConfig>(address.Value, listener.ChildPath("address"), listener.KeyMark("address")));
        return new ListenerConfig(name, address.Value, filterChains.Value)
        {
            PerConnectionBufferLimitBytes = (int)(bufferLimit ?? ListenerConfig.DefaultPerConnectionBufferLimitBytes),
        };
    }

    private static FilterChainConfig? ReadFilterChain(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } chain)
        {
            return null;
        }
        var filters = ReadResults.AllOrNull(chain.Sequence("filters").Select(filter => ReadNetworkFilter(filter, context)));
        return filters is null ? null : new FilterChainConfig(filters.Value);
    }

    private static NetworkFilterConfig? ReadNetworkFilter(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } filter
            || FilterDeclarationReader.Read(filter, context) is not { } declaration)
        {
            return null;
        }
        if (!HttpConnectionManagerReader.Identifies(declaration))
        {
            context.Unsupported(declaration.IdentityPath, declaration.IdentityMark, $"unsupported filter '{declaration.Identity}'");
            declaration.Body?.IgnoreRest();
            return null;
        }
        if (declaration.Body is not { } body)
        {
            // A config that is there but not a mapping has been reported already.
            if (!filter.HasAny("typed_config", "config"))
            {
                filter.Missing("typed_config");
            }
            return null;
        }
        return HttpConnectionManagerReader.Read(declaration, body, context);
    }
}
