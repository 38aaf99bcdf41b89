using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Sparkify.Pipeline.Passwords;

/// <summary>
/// Gives the workers' warehouse data source a password that is read again for new connections (see
/// <see cref="WarehousePasswordSettings"/>): from Secrets Manager on AWS, from a file elsewhere. Nothing configured:
/// the connection string's password, or PGPASSWORD.
/// </summary>
public static class WarehousePasswords
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <returns>What to apply to the data source builder, or null when no rotating password is configured.</returns>
    public static Action<NpgsqlDataSourceBuilder>? FromConfiguration(IConfiguration configuration)
    {
        var settings = configuration.GetSection(WarehousePasswordSettings.Section).Get<WarehousePasswordSettings>() ?? new WarehousePasswordSettings();
        IPasswordSource? source = null;
        if (!string.IsNullOrWhiteSpace(settings.PasswordSecret))
        {
            var region = configuration[$"{PipelineOptions.Section}:AwsRegion"] ?? configuration["AWS:Region"] ?? configuration["AWS_REGION"]
                ?? throw new InvalidOperationException($"{WarehousePasswordSettings.Section}:PasswordSecret needs a region (Sparkify:AwsRegion or AWS_REGION).");
            source = new SecretsManagerPasswordSource(settings.PasswordSecret, region,
                async _ => await DefaultAWSCredentialsIdentityResolver.GetCredentials().GetCredentialsAsync(), Http);
        }
        else if (!string.IsNullOrWhiteSpace(settings.PasswordFile))
        {
            source = new FilePasswordSource(settings.PasswordFile);
        }
        return source is null ? null : Apply(new RotatingPassword(source, TimeSpan.FromSeconds(settings.PasswordMaxAgeSeconds)));
    }

    public static Action<NpgsqlDataSourceBuilder> Apply(RotatingPassword password) => builder => builder.UsePasswordProvider(
        _ => password.GetAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult(),
        (_, cancellationToken) => password.GetAsync(cancellationToken));
}
