using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sparkify.Ingest;
using Sparkify.Testing;

namespace Sparkify.Pipeline.IntegrationTests.Lifecycle;

/// <summary>
/// SIGTERM while a receiver waits out a database outage with a group in hand: the group goes back to the queue at once,
/// not after its visibility timeout. The database is a server of this test's own, stopped for the outage.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class StopDuringOutageTests(FauxqsFixture fauxqs)
{
    private const string Song = """{"num_songs": 1, "artist_id": "AROUT1", "artist_latitude": null, "artist_longitude": null, "artist_location": "", "artist_name": "Out", "song_id": "SOOUT{0}", "title": "Outage {0}", "duration": 200.0, "year": 2001}""";

    [Fact]
    public async Task Stopped_while_waiting_out_a_database_outage_a_transform_hands_its_group_back_at_once()
    {
        var database = new PostgresFixture();
        await database.InitializeAsync();
        try
        {
            // Visibility 30 s: a group not handed back would stay invisible well past the checks below.
            await using var harness = await PipelineHarness.CreateAsync(database, fauxqs, extra: new Dictionary<string, string?>
            {
                ["Sparkify:Transform:VisibilityTimeoutSeconds"] = "30",
                ["Sparkify:Retry:FirstDelaySeconds"] = "0.5",
                ["Sparkify:Retry:MaxDelaySeconds"] = "1",
            });
            for (var i = 0; i < 5; i++)
            {
                await harness.UploadAsync($"song_data/O/U/T/SOOUT{i}.json", Song.Replace("{0}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            }
            var logs = new CapturedLogs();
            var transform = await harness.StartTransformAsync(services => services.AddSingleton<ILoggerProvider>(logs));
            // Staging waits on the test's lock, so the group is in hand when the database goes away.
            var blocker = await harness.DataSource.OpenConnectionAsync();
            var blocking = await blocker.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("LOCK TABLE load_files IN SHARE MODE", blocker, blocking))
            {
                await command.ExecuteNonQueryAsync();
            }
            using (var ingest = harness.BuildIngest())
            {
                await ingest.Services.GetRequiredService<IngestScan>().ScanOnceAsync(harness.Options.Prefixes, CancellationToken.None);
            }
            await harness.WaitUntilAsync(async () => await InFlightAsync(harness) == (0, 5), "the five messages received");

            await database.Server.StopAsync();
            await harness.WaitUntilAsync(() => Task.FromResult(logs.Contains("5 message(s) kept in hand until the warehouse database answers")),
                "the receiver waits out the outage with its group in hand");
            await transform.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

            // Visible again now, not after the 30 s visibility timeout.
            Assert.True((5, 0) == await InFlightAsync(harness), logs.All);
            try
            {
                await blocker.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Its server was stopped under it.
            }
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static async Task<(int Visible, int InFlight)> InFlightAsync(PipelineHarness harness)
    {
        var url = (await harness.Sqs.GetQueueUrlAsync(harness.Options.QueueName)).QueueUrl;
        var attributes = await harness.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return (attributes.ApproximateNumberOfMessages, attributes.ApproximateNumberOfMessagesNotVisible);
    }
}
