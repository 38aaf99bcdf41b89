using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Sparkify.Warehouse.Hosting;

public static class WarehouseHostingExtensions
{
    public const string ConnectionName = "warehouse";

    /// <summary>
    /// Registers the warehouse <see cref="NpgsqlDataSource"/> from <c>ConnectionStrings:warehouse</c> and applies the
    /// migrations when the host starts.
    /// </summary>
    public static TBuilder AddWarehouse<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not configured (environment variable ConnectionStrings__{ConnectionName}).");
        }
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = builder.Environment.ApplicationName }.Build());
        builder.Services.AddHostedService<SchemaMigrationService>();
        return builder;
    }
}
