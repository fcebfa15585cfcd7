namespace ActorMesh.Admin;

/// <summary>Envoy's POST-only server commands: health check flag, listener drain, counter reset, exit.</summary>
internal static class ServerCommandEndpoints
{
    private const string Ok = "OK\n";

    public static AdminResponse HealthCheck(AdminContext context, bool fail)
    {
        context.Server.FailHealthCheck(fail);
        return AdminEndpoints.Text(Ok);
    }

    /// <summary>
    /// Without <c>graceful</c> the listeners stop accepting and open connections carry on (Envoy's <c>stopListeners</c>);
    /// with it, open connections finish their request and close, then the sockets are released. No listener declares
    /// a <c>traffic_direction</c>, so every one is inbound and <c>inboundonly</c> drains them all, as Envoy would.
    /// </summary>
    public static AdminResponse DrainListeners(AdminContext context, AdminQuery query)
    {
        context.Control.DrainListeners(query.Has("graceful"), query.Has("inboundonly"));
        return AdminEndpoints.Text(Ok);
    }

    public static AdminResponse ResetCounters(AdminContext context)
    {
        foreach (var counter in context.Stats.Scopes.SelectMany(s => s.Counters))
        {
            counter.Reset();
        }
        return AdminEndpoints.Text(Ok);
    }

    /// <summary>Answers first: the shutdown drains the admin listener too, and this connection must see its OK.</summary>
    public static AdminResponse QuitQuitQuit(AdminContext context) =>
        new(200, AdminEndpoints.TextType, Ok, context.Control.Shutdown);
}
