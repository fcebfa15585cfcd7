using Akka.Configuration;

namespace ActorMesh.Mesh;

/// <summary>The mesh's timeouts, read from <c>actormesh.mesh</c> (hocon/mesh.hocon).</summary>
public sealed record MeshSettings(TimeSpan WriteTimeout, TimeSpan ReadTimeout, TimeSpan FirstVersionTimeout, TimeSpan StoreBackoffMin, TimeSpan StoreBackoffMax)
{
    private const string HoconResource = "ActorMesh.hocon.mesh.hocon";

    /// <summary>hocon/mesh.hocon, embedded so the library needs no file beside it.</summary>
    public static Akka.Configuration.Config Hocon { get; } = LoadHocon();

    public static MeshSettings FromConfig(Akka.Configuration.Config config)
    {
        var c = config.WithFallback(Hocon);
        return new MeshSettings(
            c.GetTimeSpan("actormesh.mesh.write-timeout"),
            c.GetTimeSpan("actormesh.mesh.read-timeout"),
            c.GetTimeSpan("actormesh.mesh.first-version-timeout"),
            c.GetTimeSpan("actormesh.mesh.store-backoff-min"),
            c.GetTimeSpan("actormesh.mesh.store-backoff-max"));
    }

    private static Akka.Configuration.Config LoadHocon()
    {
        using var stream = typeof(MeshSettings).Assembly.GetManifestResourceStream(HoconResource)
            ?? throw new InvalidOperationException($"Embedded resource {HoconResource} is missing.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
