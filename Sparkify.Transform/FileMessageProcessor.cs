using System.Diagnostics;
using Amazon.S3;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using Npgsql;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse;
using Sparkify.Warehouse.Bookkeeping;
using Sparkify.Warehouse.Staging;

namespace Sparkify.Transform;

/// <summary>
/// Handles what one receive returned: stages the files (one COPY per batch and kind), settles each in its batch,
/// deletes the messages of settled files, and finishes every batch whose last file just settled. SQS delivers at
/// least once; a redelivered file is already recorded as loaded and is only acknowledged.
/// </summary>
public sealed class FileMessageProcessor(
    NpgsqlDataSource dataSource, BatchManifests batches, IAmazonS3 s3, IAmazonSQS sqs, StarLoadCoordinator starLoads,
    PendingPhaseTimes pendingTimes, IOptions<PipelineOptions> pipeline, IOptions<TransformOptions> options, ILogger<FileMessageProcessor> logger)
{
    private readonly ObjectPrefetcher _objects = new(s3, pipeline.Value.Bucket);

    /// <summary>Tries of one group that meets lock waits or deadlocks before its files' receive counts it as failed.</summary>
    public const int MaxContentionAttempts = 3;

    /// <param name="cancellationToken">Cancels the work in hand (a stop whose drain time ran out).</param>
    /// <param name="stoppingToken">Once the worker is stopping, no star load is started: an idle receiver of any
    /// instance runs it later.</param>
    public async Task ProcessAsync(string queueUrl, IReadOnlyList<Message> messages, TimeSpan receiveTime, CancellationToken cancellationToken,
        CancellationToken stoppingToken = default)
    {
        var settings = options.Value;
        var received = new List<ReceivedFile>();
        foreach (var message in messages)
        {
            try
            {
                received.Add(new ReceivedFile(message, FileMessage.Parse(message.Body)));
            }
            catch (FormatException)
            {
                // Never deleted: after MaxReceives the queue's RedrivePolicy moves it to the dead-letter queue.
                logger.LogError("Message {MessageId} is not a file message; it will go to the dead-letter queue.", message.MessageId);
            }
        }
        foreach (var file in received)
        {
            if (file.SentAt is { } sent)
            {
                PipelineTelemetry.QueueLag.Record((DateTimeOffset.UtcNow - sent).TotalSeconds);
            }
        }

        await using (new VisibilityHeartbeat(sqs, queueUrl, messages, settings.VisibilityTimeoutSeconds, logger))
        {
            foreach (var batch in received.GroupBy(r => r.File.BatchId))
            {
                var times = pendingTimes.For(batch.Key);
                times.Add(PhaseTimes.QueueReceive, receiveTime * batch.Count() / received.Count);
                await StageBatchFilesAsync(queueUrl, batch.Key, [.. batch], times, cancellationToken);
            }
        }
        foreach (var batchId in received.Select(r => r.File.BatchId).Distinct())
        {
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await starLoads.TryFinishBatchAsync(batchId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The claim went back at once; the group itself is done.
                break;
            }
        }
    }

    private async Task StageBatchFilesAsync(string queueUrl, long batchId, List<ReceivedFile> files, PhaseTimes times, CancellationToken cancellationToken)
    {
        var parent = TraceContext.Extract(files[0].Message);
        var links = files.Skip(1).Select(f => TraceContext.Extract(f.Message)).Where(c => c != default).Select(c => new ActivityLink(c));
        using var activity = PipelineTelemetry.Source.StartActivity("transform stage files", ActivityKind.Consumer, parent, links: links);
        activity?.SetTag("sparkify.batch.id", batchId);
        activity?.SetTag("sparkify.files", files.Count);

        var settings = options.Value;
        // A message naming another bucket fails as a file, for good, before anything is read: Transform reads only the
        // bucket it is configured with (and its IAM role allows no other).
        foreach (var foreign in files.Where(f => !_objects.IsConfiguredBucket(f.File)).ToList())
        {
            await SettleFailedAsync(queueUrl, batchId, foreign, ObjectPrefetcher.OtherBucket(foreign.File, pipeline.Value.Bucket), final: true, cancellationToken);
            files.Remove(foreign);
        }
        if (files.Count == 0)
        {
            return;
        }
        Dictionary<string, byte[]> prefetched;
        using (times.Measure(PhaseTimes.S3Get))
        {
            prefetched = await _objects.FetchSmallAsync([.. files.Select(f => f.File)], cancellationToken);
        }
        // At-least-once delivery: one group may hold several messages for one file version. It is staged once, and
        // every message for it shares the outcome.
        var copies = files.GroupBy(f => (f.File.FileKey, f.File.ETag)).ToDictionary(g => g.Key, g => g.ToList());
        var sources = new List<SourceFile>();
        foreach (var sameFile in copies.Values)
        {
            var file = sameFile[0];
            if (SourceFile.KindOfKey(file.File.ObjectKey) is { } kind)
            {
                sources.Add(new SourceFile(file.File.FileKey, file.File.ETag, file.File.Size, kind,
                    token => prefetched.TryGetValue(file.File.FileKey, out var bytes)
                        ? Task.FromResult<Stream>(new MemoryStream(bytes, writable: false))
                        : _objects.OpenAsync(file.File, token))
                {
                    // The message's batch saw this version as the key's current content: a later batch, a later write.
                    LastModified = file.File.LastModified, SeenInBatch = file.File.BatchId,
                });
            }
            else
            {
                foreach (var copy in sameFile)
                {
                    await SettleFailedAsync(queueUrl, batchId, copy, "the key is under neither song_data/ nor log_data/", final: true, cancellationToken);
                }
            }
        }
        if (sources.Count == 0)
        {
            return;
        }

        IReadOnlyList<FileLoadResult> results;
        // Each group's commit also records its files as staged in the batch, and the times so far; a file staged for a
        // batch that has ended (a duplicate message of a file that failed its last receive) opens that batch again,
        // so that its rows reach the star schema with their own batch.
        // One group at a time per receiver: the receivers are the parallelism here.
        var loader = new StagingLoader(dataSource, new LoadOptions
        {
            MaxErrorsPerFile = settings.MaxErrorsPerFile, ParallelGroups = 1, LockTimeout = TimeSpan.FromSeconds(settings.StagingLockTimeoutSeconds),
        }, times)
        {
            BeforeCommit = async (session, loaded, token) =>
            {
                await batches.MarkStagedAsync(batchId, [.. loaded.Select(r => new ManifestFile(r.Key, r.ETag, r.Size))], session, token);
                if (loaded.Any(r => r.Outcome == FileOutcome.Loaded))
                {
                    await BatchManifests.ReopenIfEndedAsync(batchId, session);
                }
                await pendingTimes.RecordAsync(batchId, times.TakeSeconds(), token, session);
            },
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                results = await loader.LoadAsync(batchId, sources, cancellationToken: cancellationToken);
                break;
            }
            catch (Exception exception) when (exception is SourceUnavailableException || TransientFaults.IsDatabaseOutage(exception))
            {
                // The database or S3 is unreachable: not the files' fault, so nothing is recorded against them. Their
                // messages come back after the visibility timeout; the receive loop (which logs this) receives nothing
                // more until the dependency answers again.
                throw;
            }
            catch (Exception exception) when (TransientFaults.IsContention(exception) && attempt < MaxContentionAttempts)
            {
                // Another transaction held what this group needed (a lock wait past lock_timeout, a deadlock): not an
                // outage, and usually over at once; a few quick tries before it counts against the files.
                logger.LogWarning("Batch {BatchId}: staging {Count} file(s) met other work ({Reason}); trying again (attempt {Attempt} of {Max}).",
                    batchId, sources.Count, TransientFaults.Describe(exception), attempt + 1, MaxContentionAttempts);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Batch {BatchId}: staging {Count} file(s) failed; they will be retried.", batchId, sources.Count);
                foreach (var file in files)
                {
                    await SettleFailedAsync(queueUrl, batchId, file, TransientFaults.Describe(exception), final: false, cancellationToken);
                }
                return;
            }
        }

        var done = new List<ReceivedFile>();
        var alreadyLoaded = new List<ManifestFile>();
        foreach (var result in results)
        {
            if (!copies.Remove((result.Key, result.ETag), out var sameFile))
            {
                continue;
            }
            if (result.Outcome == FileOutcome.Failed)
            {
                foreach (var copy in sameFile)
                {
                    await SettleFailedAsync(queueUrl, batchId, copy, result.FailureReason ?? "failed", final: false, cancellationToken);
                }
                continue;
            }
            done.AddRange(sameFile);
            if (result.Outcome != FileOutcome.Loaded)
            {
                // Loaded before (a redelivery): its earlier commit may have been another batch's.
                alreadyLoaded.Add(sameFile[0].File.ManifestFile);
            }
            PipelineTelemetry.RowsStaged.Add(result.RowsLoaded);
            PipelineTelemetry.RowsRejected.Add(result.RowsRejected);
        }
        if (done.Count > 0)
        {
            if (alreadyLoaded.Count > 0)
            {
                using (times.Measure(PhaseTimes.Bookkeeping))
                {
                    await batches.MarkStagedAsync(batchId, alreadyLoaded, cancellationToken);
                }
            }
            using (times.Measure(PhaseTimes.QueueDelete))
            {
                await DeleteAsync(queueUrl, done, cancellationToken);
            }
            PipelineTelemetry.FilesStaged.Add(done.Count);
        }
    }

    /// <summary>
    /// A file that failed stays on the queue and comes back after a short delay; on its last receive it is marked
    /// failed in its batch (so the batch can finish) and the queue then moves it to the dead-letter queue.
    /// </summary>
    private async Task SettleFailedAsync(string queueUrl, long batchId, ReceivedFile file, string reason, bool final, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (final || file.ReceiveCount >= settings.MaxReceives)
        {
            logger.LogError("Batch {BatchId}: {Key} failed for good after {Receives} receive(s): {Reason}",
                batchId, file.File.FileKey, file.ReceiveCount, reason);
            await batches.MarkFailedAsync(batchId, file.File.ManifestFile, $"after {file.ReceiveCount} receive(s): {reason}", cancellationToken);
            PipelineTelemetry.FilesFailed.Add(1);
        }
        else
        {
            logger.LogWarning("Batch {BatchId}: {Key} failed (receive {Receives} of {Max}), retrying: {Reason}",
                batchId, file.File.FileKey, file.ReceiveCount, settings.MaxReceives, reason);
        }
        try
        {
            await sqs.ChangeMessageVisibilityAsync(queueUrl, file.Message.ReceiptHandle, settings.RetryDelaySeconds, cancellationToken);
        }
        catch (AmazonSQSException exception)
        {
            logger.LogWarning(exception, "Could not shorten the visibility of {Key}; it is retried after the visibility timeout.", file.File.FileKey);
        }
    }

    private async Task DeleteAsync(string queueUrl, List<ReceivedFile> files, CancellationToken cancellationToken)
    {
        var failed = await MessageSettlement.DeleteAsync(sqs, queueUrl, files.Select(f => f.Message.ReceiptHandle), cancellationToken);
        if (failed.Count > 0)
        {
            // Harmless: the file is recorded as loaded, so a redelivery is only acknowledged.
            logger.LogWarning("{Count} message(s) could not be deleted ({Code}); they will be redelivered and acknowledged.",
                failed.Count, failed[0].Code);
        }
    }
}
