using Sparkify.Ingest.Arrivals;

namespace Sparkify.Pipeline.Tests.Arrivals;

/// <summary>S3's event notification JSON as S3 documents it (event message structure, version 2.1).</summary>
public sealed class S3EventMessageTests
{
    private static string Record(string eventName, string bucket, string key, string sequencer = "0055AED6DCD90281E5", long size = 1024,
        string etag = "d41d8cd98f00b204e9800998ecf8427e") =>
        $$$"""
        {"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-07T15:00:00.123Z",
         "eventName":"{{{eventName}}}","userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},
         "s3":{"s3SchemaVersion":"1.0","configurationId":"arrivals",
               "bucket":{"name":"{{{bucket}}}","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::{{{bucket}}}"},
               "object":{"key":"{{{key}}}","size":{{{size}}},"eTag":"{{{etag}}}","sequencer":"{{{sequencer}}}"} } }
        """;

    private static string Message(params string[] records) => $$"""{"Records":[{{string.Join(",", records)}}]}""";

    [Fact]
    public void The_test_event_sent_when_the_notification_is_created_holds_no_arrival()
    {
        const string testEvent = """
            {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-07T15:00:00.000Z","Bucket":"sparkify-source",
             "RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}
            """;

        Assert.Empty(S3EventMessage.Parse(testEvent));
    }

    [Fact]
    public void A_created_record_gives_its_bucket_size_bare_etag_sequencer_and_time()
    {
        var arrival = Assert.Single(S3EventMessage.Parse(Message(
            Record("ObjectCreated:Put", "sparkify-source", "log_data/2018/11/2018-11-05-events.json", etag: "\\\"abc123\\\"", size: 2048))));

        Assert.Equal(new ObjectArrival("sparkify-source", "log_data/2018/11/2018-11-05-events.json", 2048, "abc123", "0055AED6DCD90281E5",
            new DateTimeOffset(2026, 12, 7, 15, 0, 0, 123, TimeSpan.Zero)), arrival);
    }

    [Fact]
    public void Keys_are_url_decoded_with_plus_as_a_space()
    {
        var arrival = Assert.Single(S3EventMessage.Parse(Message(
            Record("ObjectCreated:Put", "b", "song_data/A/my+songs/caf%C3%A9+%2B+1%25.json"))));

        Assert.Equal("song_data/A/my songs/café + 1%.json", arrival.Key);
    }

    [Fact]
    public void Every_created_record_of_a_message_is_read_in_order_and_other_events_are_left_out()
    {
        var arrivals = S3EventMessage.Parse(Message(
            Record("ObjectCreated:Put", "b", "log_data/a.json"),
            Record("ObjectRemoved:Delete", "b", "log_data/gone.json"),
            Record("ObjectCreated:CompleteMultipartUpload", "b", "log_data/big.json"),
            Record("ObjectRestore:Completed", "b", "log_data/restored.json"),
            Record("ObjectCreated:Copy", "b", "log_data/copied.json")));

        Assert.Equal(["log_data/a.json", "log_data/big.json", "log_data/copied.json"], arrivals.Select(a => a.Key));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[]")]
    [InlineData("""{"Records":"none"}""")]
    [InlineData("""{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}""")]
    [InlineData("""{"Type":"Notification","Message":"{}"}""")]
    public void A_body_that_is_no_s3_created_event_holds_no_arrival(string body) => Assert.Empty(S3EventMessage.Parse(body));

    [Fact]
    public void Only_keys_of_the_configured_bucket_and_prefixes_that_are_source_files_are_the_warehouses()
    {
        var scope = new ArrivalScope("sparkify-source", ["song_data/", "log_data/2018/"]);
        ObjectArrival At(string bucket, string key) => new(bucket, key, 1, "e", "01", null);

        Assert.True(scope.Contains(At("sparkify-source", "log_data/2018/11/2018-11-05-events.json")));
        Assert.True(scope.Contains(At("sparkify-source", "song_data/A/B/C/TRABC.json")));
        Assert.False(scope.Contains(At("other-bucket", "log_data/2018/11/2018-11-05-events.json")));
        Assert.False(scope.Contains(At("sparkify-source", "log_data/2019/01/2019-01-01-events.json")));
        Assert.False(scope.Contains(At("sparkify-source", "reports/log_data/2018/x.json")));
        Assert.False(scope.Contains(At("sparkify-source", "song_data/A/readme.txt")));
    }
}
