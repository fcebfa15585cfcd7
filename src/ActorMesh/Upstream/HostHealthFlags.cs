namespace ActorMesh.Upstream;

/// <summary>Envoy's Host::HealthFlag values ActorMesh sets; any of them takes the host out of the healthy set.</summary>
[Flags]
public enum HostHealthFlags
{
    None = 0,
    FailedActiveHc = 1,
    FailedOutlierCheck = 2,

    /// <summary>Not yet checked by the active health checker; set together with <see cref="FailedActiveHc"/>.</summary>
    PendingActiveHc = 4,
}
