using System.Net;
using Amazon.Runtime;
using Npgsql;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Pipeline.Tests;

/// <summary>
/// What mutation testing found untested in the workers' pure parts: which SQS bodies are file messages, the
/// warehouse's s3:// keys, and the edges of what counts as a dependency being away.
/// </summary>
public sealed class MessageAndFaultEdgeTests
{
    [Fact]
    public void A_file_message_goes_through_the_queue_unchanged()
    {
        var file = new ManifestFile("s3://bucket/log_data/2018/11/it's \"x\".json", "etag", 42, new DateTimeOffset(2018, 11, 5, 1, 2, 3, TimeSpan.Zero));
        var message = FileMessage.Of(7, file);

        Assert.Equal(new FileMessage(7, "bucket", "log_data/2018/11/it's \"x\".json", "etag", 42, file.LastModified), message);
        Assert.Equal(message, FileMessage.Parse(message.ToJson()));
        Assert.Equal(file, FileMessage.Parse(message.ToJson()).ManifestFile);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"batchId":0,"bucket":"b","objectKey":"k","eTag":"e","size":1}""")]
    [InlineData("""{"batchId":1,"bucket":"","objectKey":"k","eTag":"e","size":1}""")]
    [InlineData("""{"batchId":1,"bucket":"b","objectKey":"","eTag":"e","size":1}""")]
    [InlineData("""{"batchId":1,"bucket":"b","objectKey":"k","eTag":"","size":1}""")]
    [InlineData("""{"batchId":1,"bucket":"b","objectKey":"k","size":1}""")]
    public void Anything_else_is_not_a_file_message(string body)
    {
        var error = Assert.Throws<FormatException>(() => FileMessage.Parse(body));
        Assert.Equal("The SQS message is not a Sparkify file message.", error.Message);
    }

    [Fact]
    public void The_smallest_file_message_is_one()
    {
        Assert.Equal(new FileMessage(1, "b", "k", "e", 0), FileMessage.Parse("""{"batchId":1,"bucket":"b","objectKey":"k","eTag":"e"}"""));
    }

    [Theory]
    [InlineData("s3://bucket/a/b.json", "bucket", "a/b.json")]
    [InlineData("s3://b/k", "b", "k")]
    [InlineData("s3://b/", "b", "")]
    public void Warehouse_keys_are_s3_bucket_key(string fileKey, string bucket, string key)
    {
        Assert.Equal((bucket, key), S3Keys.Parse(fileKey));
        Assert.Equal(fileKey, S3Keys.Of(bucket, key));
    }

    [Theory]
    [InlineData("/tmp/a.json")]
    [InlineData("s3://bucket")]
    [InlineData("S3://bucket/key")]
    public void Other_keys_are_refused(string fileKey)
    {
        var error = Assert.Throws<FormatException>(() => S3Keys.Parse(fileKey));
        Assert.Equal($"{fileKey} is not an s3://bucket/key", error.Message);
    }

    [Theory]
    [InlineData("57P01", true)]  // admin shutdown: the server is stopping
    [InlineData("57P02", true)]  // crash shutdown
    [InlineData("57P03", true)]  // cannot connect now: starting up
    [InlineData("28P01", true)]  // a refused login: a rotation in progress, or the migration task has not created the role yet
    [InlineData("28000", true)]  // the same, without a password
    [InlineData("42501", false)] // a refused privilege: the setup is wrong
    [InlineData("42P01", false)] // a missing table
    public void A_server_stopping_or_starting_is_transient_a_wrong_setup_is_not(string sqlState, bool transient)
    {
        Assert.Equal(transient, TransientFaults.IsTransient(new PostgresException("x", "FATAL", "FATAL", sqlState)));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, null, true)]
    [InlineData(HttpStatusCode.BadGateway, null, true)]
    [InlineData(HttpStatusCode.TooManyRequests, null, true)]
    [InlineData(HttpStatusCode.RequestTimeout, null, true)]
    [InlineData((HttpStatusCode)499, null, false)]
    [InlineData(HttpStatusCode.NotFound, null, false)]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException", true)]
    [InlineData(HttpStatusCode.BadRequest, "RequestThrottled", true)]
    [InlineData(HttpStatusCode.BadRequest, "SlowDown", true)]
    [InlineData(HttpStatusCode.BadRequest, "ServiceUnavailable", true)]
    [InlineData(HttpStatusCode.BadRequest, "InternalError", true)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidParameterValue", false)]
    public void An_aws_answer_is_transient_when_the_service_is_overloaded_or_failing(HttpStatusCode status, string? code, bool transient)
    {
        Assert.Equal(transient, TransientFaults.IsTransient(new AmazonServiceException("x") { StatusCode = status, ErrorCode = code }));
    }

    [Fact]
    public void A_timeout_nobody_asked_for_is_transient_and_a_cause_is_looked_through()
    {
        Assert.True(TransientFaults.IsTransient(new TaskCanceledException()));
        Assert.True(TransientFaults.IsTransient(new InvalidOperationException("wrapped", new IOException("reset"))));
        Assert.False(TransientFaults.IsTransient(new InvalidOperationException("wrapped", new ArgumentException("bug"))));
    }

    [Fact]
    public void Describe_adds_the_root_cause_only_when_the_message_lacks_it()
    {
        Assert.Equal("InvalidOperationException: outer (IOException: reset)",
            TransientFaults.Describe(new InvalidOperationException("outer", new IOException("reset"))));
        Assert.Equal("InvalidOperationException: outer: reset",
            TransientFaults.Describe(new InvalidOperationException("outer: reset", new IOException("reset"))));
    }
}
