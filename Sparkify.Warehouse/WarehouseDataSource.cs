using Npgsql;

namespace Sparkify.Warehouse;

/// <summary>How every tool and worker connects to the warehouse.</summary>
public static class WarehouseDataSource
{
    /// <summary>
    /// A data source whose sessions may keep up to 256 MB of temporary tables in memory (PostgreSQL's default is
    /// 8 MB): a star load's and a report's temporary tables of a large batch would otherwise spill to disk, which cost
    /// more than a second per 256k plays. It is a limit, not an allocation.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString, string name)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        Configure(builder, name);
        return builder.Build();
    }

    /// <summary>The same settings on a builder made elsewhere (the services' data source comes from Aspire.Npgsql).</summary>
    public static void Configure(NpgsqlDataSourceBuilder builder, string name)
    {
        builder.Name = name;
        builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c temp_buffers=256MB".Trim();
    }
}
