namespace ActorMesh.Config;

/// <summary>Checks that need the whole file: names are unique, references resolve, nothing is claimed twice.</summary>
internal static class ConfigReferenceValidator
{
    public static IReadOnlyList<ConfigError> Validate(ConfigReferences references)
    {
        var context = new ConfigReadContext();
        ReportDuplicates(context, references.ListenerNames, name => name, StringComparer.Ordinal,
            (name, first) => $"duplicate listener name '{name}' (first at {first.Path})");
        ReportDuplicates(context, references.ClusterNames, name => name, StringComparer.Ordinal,
            (name, first) => $"duplicate cluster name '{name}' (first at {first.Path})");

        // Port 0 asks the OS for a fresh port each time, so any number of listeners may use it.
        ReportDuplicates(context, references.ListenerAddresses.Where(a => a.Value.Port != 0).ToList(),
            SocketAddressReader.Normalize, StringComparer.Ordinal,
            (address, first) => $"duplicate listener address {address} (already used at {first.Path})");

        var clusters = references.ClusterNames.Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var reference in references.ClusterReferences.Where(r => !clusters.Contains(r.Value)))
        {
            context.Error(reference.Path, reference.Mark, $"unknown cluster '{reference.Value}'");
        }

        foreach (var routeConfiguration in references.RouteConfigurationDomains)
        {
            var claimed = new Dictionary<string, DomainClaim>(StringComparer.OrdinalIgnoreCase);
            foreach (var claim in routeConfiguration)
            {
                if (!claimed.TryAdd(claim.Domain, claim))
                {
                    context.Error(claim.Path, claim.Mark,
                        $"duplicate domain '{claim.Domain}' (already claimed by virtual host '{claimed[claim.Domain].VirtualHost}')");
                }
            }
        }
        return context.Complete();
    }

    private static void ReportDuplicates<T>(
        ConfigReadContext context,
        IReadOnlyList<Located<T>> items,
        Func<T, string> key,
        StringComparer comparer,
        Func<T, Located<T>, string> message)
    {
        var seen = new Dictionary<string, Located<T>>(comparer);
        foreach (var item in items)
        {
            if (!seen.TryAdd(key(item.Value), item))
            {
                context.Error(item.Path, item.Mark, message(item.Value, seen[key(item.Value)]));
            }
        }
    }
}
