namespace Sparkify.AppHost;

/// <summary>
/// The local run is HTTP only (the dashboard runs with ASPIRE_ALLOW_UNSECURED_TRANSPORT, the projects listen on http).
/// Aspire still gives every project resource an HTTPS certificate callback, and while any resource has one, the
/// orchestrator (DcpHost) checks for a trusted ASP.NET Core development certificate: without one, every run prints
/// "No trusted Aspire development certificate was found" and the dashboard shows a red banner, about a certificate
/// nothing here uses. <c>WithoutHttpsCertificate</c> is Aspire's documented way to say a resource terminates no TLS.
/// </summary>
internal static class HttpOnlyResources
{
#pragma warning disable ASPIRECERTIFICATES001 // Experimental in Aspire 13.6: the only switch for this check per resource.
    public static IResourceBuilder<ProjectResource> WithoutTls(this IResourceBuilder<ProjectResource> project) =>
        project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
}
