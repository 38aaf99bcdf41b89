using Npgsql;
using NpgsqlTypes;

namespace Sparkify.Warehouse.Bookkeeping;

/// <summary>
/// Where the last listing of an ordered prefix ended (<c>listing_watermarks</c>), so that the next scan lists only the
/// keys after it; a full listing is due again once the last one is older than the interval given, and finds what
/// appeared below the watermark (a late or re-uploaded file). Written only by the holder of the scan lock.
/// </summary>
public sealed class ListingWatermarks(NpgsqlDataSource dataSource)
{
    /// <returns>The key to list after, or null when the prefix is to be listed whole (no watermark, or a full listing due).</returns>
    public async Task<string?> FindStartAfterAsync(string bucket, string prefix, TimeSpan fullListingEvery, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT last_key FROM listing_watermarks WHERE bucket = $1 AND prefix = $2 AND full_listing_at > now() - $3");
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = prefix });
        command.Parameters.Add(new() { Value = fullListingEvery, NpgsqlDbType = NpgsqlDbType.Interval });
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>A listing of the prefix has ended at <paramref name="lastKey"/>, every file before it recorded.</summary>
    /// <param name="fullListing">It listed the prefix whole (its time starts the next interval).</param>
    public async Task RecordAsync(string bucket, string prefix, string lastKey, bool fullListing, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO listing_watermarks AS w (bucket, prefix, last_key, full_listing_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (bucket, prefix) DO UPDATE
            SET last_key = excluded.last_key, updated_at = now(),
                full_listing_at = CASE WHEN $4 THEN now() ELSE w.full_listing_at END
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = prefix });
        command.Parameters.Add(new() { Value = lastKey });
        command.Parameters.Add(new() { Value = fullListing });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
