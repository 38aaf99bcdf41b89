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
        private readonly List<Process> _processes = [];

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
                var url = $"http://127.0.0.1:{FreePort()}/";
                var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                info.ArgumentList.Add(LocalTools.WorkerDll(LocalTools.FindRepositoryRoot(AppContext.BaseDirectory), "Sparkify.ReportWeb"));
                info.Environment["ConnectionStrings__warehouse"] = connection;
                info.Environment["ASPNETCORE_URLS"] = url;
                info.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
                info.Environment["DOTNET_ENVIRONMENT"] = environment;
                info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
                var process = Process.Start(info)!;
                process.OutputDataReceived += (_, _) => { };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                _processes.Add(process);
                UrlOf[environment] = url;
            }
            foreach (var (environment, url) in UrlOf)
            {
                await WaitUntilServingAsync(url, _processes[environment == "Development" ? 0 : 1]);
            }
        }

        private async Task WaitUntilServingAsync(string url, Process process)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    if ((await Http.GetAsync(url + "health")).IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
                if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"the report service did not answer on {url}");
                }
                await Task.Delay(100);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async Task DisposeAsync()
        {
            foreach (var process in _processes)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
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
