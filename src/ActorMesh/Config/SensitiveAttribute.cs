namespace ActorMesh.Config;

/// <summary>
/// Marks a config property that may hold a secret (a key, password or token), like Envoy's
/// <c>udpa.annotations.sensitive</c>: <c>/config_dump</c> prints <c>[redacted]</c> in its place.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SensitiveAttribute : Attribute;
