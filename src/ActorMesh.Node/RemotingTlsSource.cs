using ActorMesh.Mesh;

namespace ActorMesh.Node;

/// <summary>
/// The remoting TLS files, from the first place that names a certificate: <c>--tls-cert</c> (with
/// <c>--tls-cert-password-file</c>, <c>--tls-ca</c>), then HOCON <c>actormesh.remote-tls</c>. The password is read from a
/// file or <c>ACTORMESH_TLS_CERT_PASSWORD</c>, never from a flag, so it does not show in the process list.
/// </summary>
internal static class RemotingTlsSource
{
    public const string PasswordEnvironmentVariable = "ACTORMESH_TLS_CERT_PASSWORD";

    public static RemotingTlsOptions? Resolve(CommandLine options, Func<string, string?> environment, Akka.Configuration.Config hocon)
    {
        var section = hocon.GetConfig("actormesh.remote-tls");
        string? Setting(string key) => section?.GetString(key, "") is { Length: > 0 } value ? value : null;

        var certificate = options.TlsCertificate ?? Setting("certificate-path");
        if (certificate is null)
        {
            return null;
        }
        var passwordFile = options.TlsCertificatePasswordFile ?? Setting("password-file");
        var password = passwordFile is not null
            ? File.ReadLines(passwordFile).FirstOrDefault() ?? ""
            : environment(PasswordEnvironmentVariable);
        return new RemotingTlsOptions(certificate)
        {
            Password = password,
            TrustedCaPath = options.TlsCa ?? Setting("trusted-ca-path"),
            RequireMutualAuthentication = section?.GetBoolean("require-mutual-authentication", true) ?? true,
        };
    }
}
