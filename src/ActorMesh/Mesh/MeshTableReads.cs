using Akka.Actor;
using Akka.DistributedData;

namespace ActorMesh.Mesh;

/// <summary>
/// Reads the routing table from the local replicator: the manifest, then the resources it names. A resource whose local
/// copy does not match the manifest's hash yet (its gossip is behind the version key's) is read again from a majority.
/// Control path only: these ask the replicator and may wait up to the read timeout.
/// </summary>
public static class MeshTableReads
{
    public static async Task<MeshManifest?> ManifestAsync(IActorRef replicator, IReadConsistency consistency, TimeSpan timeout)
    {
        var response = await replicator.Ask<IGetResponse>(Dsl.Get(MeshKeys.Version, consistency), timeout + AskMargin);
        return response.IsSuccessful ? MeshManifest.FromJson(response.Get(MeshKeys.Version).Value) : null;
    }

    /// <summary>Every resource of <paramref name="manifest"/> at the content it names; null when one is not there yet.</summary>
    public static async Task<IReadOnlyList<MeshResource>?> ResourcesAsync(IActorRef replicator, MeshManifest manifest, TimeSpan readTimeout)
    {
        var reads = manifest.Resources.Select(r => ResourceAsync(replicator, r, readTimeout));
        var resources = await Task.WhenAll(reads);
        return resources.Any(r => r is null) ? null : resources.OfType<MeshResource>().ToList();
    }

    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(1);

    private static async Task<MeshResource?> ResourceAsync(IActorRef replicator, MeshResourceRef wanted, TimeSpan readTimeout)
    {
        var local = await ReadAsync(replicator, wanted, Dsl.ReadLocal, readTimeout);
        return local ?? await ReadAsync(replicator, wanted, new ReadMajority(readTimeout), readTimeout);
    }

    private static async Task<MeshResource?> ReadAsync(IActorRef replicator, MeshResourceRef wanted, IReadConsistency consistency, TimeSpan timeout)
    {
        var key = MeshKeys.Resource(wanted.Key);
        IGetResponse response;
        try
        {
            response = await replicator.Ask<IGetResponse>(Dsl.Get(key, consistency), timeout + AskMargin);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
        if (!response.IsSuccessful)
        {
            return null;
        }
        var resource = new MeshResource(wanted.Kind, wanted.Key, response.Get(key).Value);
        return resource.Hash == wanted.Hash ? resource : null;
    }
}
