using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Sparkify.Warehouse.Hosting;

public static class WarehouseHostingExtensions
{
    public const string ConnectionName = "warehouse";

    /// <summary>
    /// Registers the warehouse <see cref="Npgsql.NpgsqlDataSource"/> from <c>ConnectionStrings:warehouse</c> through
    /// Aspire.Npgsql, with its health check, and its tracing and metrics when telemetry is exported
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; otherwise recording a span per SQL command would only cost CPU). A username or
    /// password the connection string leaves out comes from <c>PGUSER</c> / <c>PGPASSWORD</c> (Npgsql reads them), which
    /// is how a deployment passes them as secrets. <paramref name="configure"/> adds to the data source builder (the
    /// workers' rotating password).
    /// </summary>
    public static TBuilder AddWarehouse<TBuilder>(this TBuilder builder, Action<Npgsql.NpgsqlDataSourceBuilder>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not configured (environment variable ConnectionStrings__{ConnectionName}).");
        }
        var exported = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.AddNpgsqlDataSource(ConnectionName,
            settings =>
            {
                settings.DisableTracing = !exported;
                settings.DisableMetrics = !exported;
            },
            dataSource =>
            {
                WarehouseDataSource.Configure(dataSource, builder.Environment.ApplicationName);
                configure?.Invoke(dataSource);
            });
        return builder;
    }
}
