using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Sparkify.DevTools;
using Sparkify.Testing;
using Sparkify.Warehouse.Schema;

namespace Sparkify.ReportWeb.Tests;

/// <summary>
/// A query parameter the page cannot use gets one friendly 400 saying which and why — in Development as in Production,
/// never the developer exception page — on the page and on its JSON. HTTP only: no browser needed.
/// </summary>
public sealed class QueryParameterTests(QueryParameterTests.Services services) : IClassFixture<QueryParameterTests.Services>
{
    /// <summary>The report service twice, in Development and in Production, over one empty warehouse.</summary>
    public sealed class Services : IAsyncLifetime
    {
        private PostgresServer _postgres = null!;
        private readonly List<ReportServiceProcess> _services = [];

        public HttpClient Http { get; } = new();
        public Dictionary<string, string> UrlOf { get; } = [];

        public async Task InitializeAsync()
        {
            _postgres = await PostgresServer.StartAsync();
            var connection = await _postgres.CreateDatabaseAsync("report");
            await using (var dataSource = NpgsqlDataSource.Create(connection))
            {
                await new SchemaMigrator(dataSource).MigrateAsync();
            }
            foreach (var environment in new[] { "Development", "Production" })
            {
                var service = ReportServiceProcess.Start(connection, environment);
                _services.Add(service);
                UrlOf[environment] = service.Url;
            }
            foreach (var service in _services)
            {
                await service.WaitUntilServingAsync(Http);
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var service in _services)
            {
                await service.DisposeAsync();
            }
            Http.Dispose();
            await _postgres.DisposeAsync();
        }
    }

    public static TheoryData<string, string, string> BadQueries()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var environment in new[] { "Development", "Production" })
        {
            foreach (var path in new[] { "", "report.json" })
            {
                data.Add(environment, path + "?from=xyz", "'from' must be a date (yyyy-mm-dd), got 'xyz'.");
                data.Add(environment, path + "?to=2018-11-31", "'to' must be a date (yyyy-mm-dd), got '2018-11-31'.");
                data.Add(environment, path + "?top=abc", "'top' must be a whole number from 1 to 100, got 'abc'.");
                data.Add(environment, path + "?top=1000", "'top' must be a whole number from 1 to 100, got '1000'.");
                data.Add(environment, path + "?top=0", "'top' must be a whole number from 1 to 100, got '0'.");
                data.Add(environment, path + "?from=2018-11-06&to=2018-11-05", "'to' is before 'from'.");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_parameter_is_a_friendly_400_in_every_environment(string environment, string query, string expected)
    {
        using var response = await services.Http.GetAsync(services.UrlOf[environment] + query);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bad request: " + expected, body.Trim());
    }

    [Theory]
    [InlineData("Development", "?from=2018-11-05&to=2018-11-05&top=100")]
    [InlineData("Production", "report.json?top=1")]
    public async Task Good_parameters_are_answered(string environment, string query)
    {
        using var response = await services.Http.GetAsync(services.UrlOf[environment] + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
