using System.Diagnostics;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using Sparkify.Pipeline;
using Sparkify.Pipeline.Hosting;
using Sparkify.Warehouse.Bookkeeping;

namespace Sparkify.Transform;

/// <summary>
/// Several long-polling receivers feeding the <see cref="FileMessageProcessor"/>. On SIGTERM the receivers stop
/// receiving; a group in hand is finished if it can be within the drain time (the shutdown timeout less a margin),
/// otherwise its work is cancelled and its messages are handed back (visibility 0) for another instance.
/// </summary>
public sealed class TransformWorker(
    IAmazonSQS sqs, FileMessageProcessor processor, StarLoadCoordinator starLoads, PendingPhaseTimes pendingTimes, StarLoadClaims claims, QueueRedriveCheck queueCheck,
    DependencyProbes dependencies, OutageGate gate, DeadLetterSweeper sweeper, WorkerHeartbeat heartbeat, DependencyRetry retry, WorkerExit exit,
    ScaleInProtection protection,
    IOptions<TransformOptions> options, IOptions<WorkerHostOptions> host, ILogger<TransformWorker> logger) : WorkerService(exit)
{
    /// <summary>Failures in a row, none of them a dependency being away, after which the worker gives up.</summary>
    public const int MaxFailuresInARow = 5;

    /// <summary>Left of the shutdown timeout for handing messages back and releasing a claim after the drain.</summary>
    private static readonly TimeSpan HandBackMargin = TimeSpan.FromSeconds(10);

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var queueUrl = await retry.WaitForAsync("the file queue", queueCheck.VerifyAsync, stoppingToken);
        logger.LogInformation("Receiving from {QueueUrl} with {Receivers} receiver(s).", queueUrl, options.Value.Receivers);

        // The work in hand may go on after the stop signal, until the drain deadline.
        using var drainDeadline = new CancellationTokenSource();
        var drainTime = TimeSpan.FromSeconds(host.Value.ShutdownTimeoutSeconds) - HandBackMargin;
        await using var onStop = stoppingToken.Register(() => drainDeadline.CancelAfter(drainTime > TimeSpan.Zero ? drainTime : TimeSpan.Zero));
        await Task.WhenAll([
            .. Enumerable.Range(0, options.Value.Receivers).Select(_ => ReceiveLoopAsync(queueUrl, stoppingToken, drainDeadline.Token)),
            SettledBatchLoopAsync(stoppingToken),
        ]);
        logger.LogInformation("Stopped receiving; the work in hand is done or handed back.");
    }

    private async Task ReceiveLoopAsync(string queueUrl, CancellationToken stoppingToken, CancellationToken workToken)
    {
        var failures = 0;
        List<Message>? retryInHand = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            heartbeat.Beat();
            List<Message> messages = [];
            try
            {
                await gate.WhileClosedAsync(stoppingToken);
                var receiveTime = TimeSpan.Zero;
                if (retryInHand is not null)
                {
                    (messages, retryInHand) = (retryInHand, null);
                }
                else
                {
                    (messages, receiveTime) = await ReceiveGroupAsync(queueUrl, stoppingToken, workToken);
                }
                using var alive = heartbeat.KeepAlive();
                using var busy = messages.Count > 0 ? protection.Hold() : null;
                if (messages.Count > 0 && stoppingToken.IsCancellationRequested)
                {
                    await HandBackAsync(queueUrl, messages);
                    return;
                }
                if (messages.Count > 0)
                {
                    await processor.ProcessAsync(queueUrl, messages, receiveTime, workToken, stoppingToken);
                }
                if (messages.Count == 0 && !stoppingToken.IsCancellationRequested)
                {
                    await pendingTimes.FlushAsync(workToken);
                }
                if (!stoppingToken.IsCancellationRequested)
                {
                    await sweeper.SweepIfDueAsync(queueUrl, workToken);
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (messages.Count > 0)
                {
                    // Stopping with a group in hand that is not done (the drain time ran out, or it waited out an
                    // outage): what it had not settled goes back to the queue.
                    await HandBackAsync(queueUrl, messages);
                }
                return;
            }
            catch (Exception exception)
            {
                failures++;
                if (dependencies.ProbeFor(exception) is { } probe)
                {
                    // The database or S3 is away: keep this group in hand (invisible to everyone) and do it again once
                    // the dependency answers, so that the outage spends none of its messages' receives.
                    logger.LogError("Receive loop: {Reason}; {Count} message(s) kept in hand until {Dependency} answers.",
                        TransientFaults.Describe(exception), messages.Count, probe.Dependency);
                    try
                    {
                        await using (new VisibilityHeartbeat(sqs, queueUrl, messages, options.Value.VisibilityTimeoutSeconds, logger))
                        {
                            await gate.WaitForAsync(probe.Dependency, probe.Answers, stoppingToken);
                        }
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                        // Stopped while waiting the outage out: the group in hand goes back to the queue now, not
                        // after its visibility timeout.
                        if (messages.Count > 0)
                        {
                            await HandBackAsync(queueUrl, messages);
                        }
                        return;
                    }
                    retryInHand = messages.Count > 0 ? messages : null;
                    continue;
                }
                if (!TransientFaults.IsTransient(exception) && failures >= MaxFailuresInARow)
                {
                    throw new FatalWorkerException(
                        $"the receive loop failed {failures} times in a row; last: {TransientFaults.Describe(exception)}", WorkerExitCodes.GaveUp);
                }
                var delay = retry.BackoffAfter(failures);
                logger.LogError(exception, "Receive loop failed ({Failures} in a row); retrying in {Delay}.", failures, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    /// <summary>Makes messages visible again at once, so that another instance (or this one, restarted) takes them.</summary>
    private async Task HandBackAsync(string queueUrl, List<Message> messages)
    {
        if (await MessageSettlement.TryHandBackAsync(sqs, queueUrl, [.. messages.Select(m => m.ReceiptHandle)], HandBackMargin / 2) is { } reason)
        {
            logger.LogWarning("Could not hand {Count} message(s) back ({Reason}); they return after their visibility timeout.", messages.Count, reason);
            return;
        }
        logger.LogInformation("Handed {Count} message(s) back to the queue.", messages.Count);
    }

    /// <summary>
    /// Long-polls for the first page, then takes further pages without waiting, a few calls at a time, up to
    /// MaxFilesPerGroup or until a page comes back short. The time returned is that of the calls that brought
    /// messages (an empty long poll is idle time, not work). A stop interrupts no receive call, the long poll included
    /// (it ends within WaitTimeSeconds): SQS does not know that a client gave up on a call, so a poll cancelled by the
    /// client can still take messages — a group another receiver just handed back — and leave them invisible for the
    /// visibility timeout. What a call brings after the stop is handed back.
    /// </summary>
    private async Task<(List<Message> Messages, TimeSpan ReceiveTime)> ReceiveGroupAsync(string queueUrl, CancellationToken stoppingToken,
        CancellationToken workToken)
    {
        const int pageSize = 10, parallelPages = 4;
        var settings = options.Value;
        var started = Stopwatch.GetTimestamp();
        if (stoppingToken.IsCancellationRequested)
        {
            return ([], TimeSpan.Zero);
        }
        var messages = await ReceivePageAsync(queueUrl, settings.WaitTimeSeconds, workToken);
        var receiveTime = messages.Count > 0 ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;
        var full = messages.Count == pageSize;
        while (full && messages.Count + pageSize <= settings.MaxFilesPerGroup && !stoppingToken.IsCancellationRequested)
        {
            started = Stopwatch.GetTimestamp();
            var calls = Math.Min(parallelPages, (settings.MaxFilesPerGroup - messages.Count) / pageSize);
            var pages = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => ReceivePageAsync(queueUrl, 0, workToken)));
            receiveTime += Stopwatch.GetElapsedTime(started);
            foreach (var page in pages)
            {
                messages.AddRange(page);
                full &= page.Count == pageSize;
            }
        }
        return (messages, receiveTime);
    }

    private async Task<List<Message>> ReceivePageAsync(string queueUrl, int waitSeconds, CancellationToken cancellationToken)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = waitSeconds,
            VisibilityTimeout = options.Value.VisibilityTimeoutSeconds,
            MessageSystemAttributeNames = ["ApproximateReceiveCount", "SentTimestamp"],
            MessageAttributeNames = ["All"],
        }, cancellationToken);
        // The AWS SDK returns null, not an empty list, when nothing arrived.
        return response.Messages ?? [];
    }

    /// <summary>
    /// Finishes the batches ready for their star load that no receiver finished: one whose last file another instance
    /// settled, whose finisher crashed, or whose star load is due again after a failure or a busy lock. It looks every
    /// <see cref="TransformOptions.SettledBatchCheckSeconds"/>, and at once when a star load of this instance has
    /// committed (the load a busy one waited for), whatever the receivers are doing — a receiver in a long poll would
    /// otherwise leave such a batch waiting up to <see cref="TransformOptions.WaitTimeSeconds"/>.
    /// </summary>
    private async Task SettledBatchLoopAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.SettledBatchCheckSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await starLoads.WaitForCommittedStarLoadAsync(period, stoppingToken);
                await gate.WhileClosedAsync(stoppingToken);
                using var alive = heartbeat.KeepAlive();
                await FinishSettledBatchesAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database may be away (the receivers' probes and the outage gate deal with that): look again later.
                logger.Log(dependencies.ProbeFor(exception) is null ? LogLevel.Warning : LogLevel.Debug,
                    "Could not look for batches ready for their star load ({Reason}); looking again in {Period}.", TransientFaults.Describe(exception), period);
            }
        }
    }

    private async Task FinishSettledBatchesAsync(CancellationToken cancellationToken)
    {
        var takeOver = TimeSpan.FromSeconds(options.Value.StarLoadTakeoverSeconds);
        foreach (var batchId in await claims.FindSettledOpenAsync(takeOver, cancellationToken))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            await starLoads.TryFinishBatchAsync(batchId, cancellationToken);
        }
    }
}
