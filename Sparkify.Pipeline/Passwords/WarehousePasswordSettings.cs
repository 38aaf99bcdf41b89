namespace Sparkify.Pipeline.Passwords;

/// <summary>
/// Configuration section <c>Sparkify:Warehouse</c>: where a worker reads its database password each time it opens a
/// connection, so that a rotated password is picked up without a restart. Neither set: the connection string's
/// password, or <c>PGPASSWORD</c>, read once.
/// </summary>
public sealed class WarehousePasswordSettings
{
    public const string Section = "Sparkify:Warehouse";

    /// <summary>The environment variable of <see cref="PasswordSecret"/>, as the task definitions set it.</summary>
    public const string SecretKey = "Sparkify__Warehouse__PasswordSecret";

    /// <summary>A Secrets Manager secret (ARN or name) holding JSON with a <c>password</c> field (what RDS and its rotation write).</summary>
    public string? PasswordSecret { get; set; }

    /// <summary>A file holding the password alone (a mounted secret, or a test that swaps it).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>How long a password read is reused for new connections before it is read again.</summary>
    public int PasswordMaxAgeSeconds { get; set; } = 30;
}
