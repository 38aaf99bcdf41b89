using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Sparkify.Warehouse.Hosting;

public static class WarehouseHostingExtensions
{
    public const string ConnectionName = "warehouse";

    /// <summary>
    /// Registers the warehouse <see cref="NpgsqlDataSource"/> from <c>ConnectionStrings:warehouse</c>. A username or
    /// password the connection string leaves out comes from <c>PGUSER</c> / <c>PGPASSWORD</c> (Npgsql reads them), which
    /// is how a deployment passes them as secrets.
    /// </summary>
    public static TBuilder AddWarehouse<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not configured (environment variable ConnectionStrings__{ConnectionName}).");
        }
        builder.Services.AddSingleton(_ => WarehouseDataSource.Create(connectionString, builder.Environment.ApplicationName));
        return builder;
    }
}
