using Tandem.Generation;
using Tandem.Pipelines;

namespace Tandem.Tasks.Sql;

/// <summary>A question answered against a database: the SQL the model wrote and what the database returned.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Sql">The query that was chosen (see <see cref="SqlAsker"/>).</param>
/// <param name="Result">Rows, or the database's error.</param>
/// <param name="Candidates">Every candidate query in model order.</param>
public sealed record SqlAnswer(string Question, string Sql, QueryResult Result, IReadOnlyList<string> Candidates);

/// <summary>How <see cref="SqlAsker"/> chooses among a beam's candidate queries; every rule falls back to the
/// first candidate that runs, and then to the model's best.</summary>
public enum SqlChoice
{
    /// <summary>The first candidate (model order) that runs and returns an answer: a row with a non-null value.</summary>
    FirstAnswer,
    /// <summary>The first candidate that runs, whatever it returns.</summary>
    FirstRuns,
    /// <summary>Execution-result vote: candidates that return an answer are grouped by the rows they return (a
    /// multiset, compared as <see cref="ExecutionMatch"/> does); the group with the most probability (each candidate's
    /// <c>exp</c> of its summed log-probability) wins, and its first candidate is taken.</summary>
    Vote,
}

/// <summary>English to SQL to rows: generate SQL with a fine-tuned model, rebuild it from word pieces, run it
/// read-only, after <see cref="SqlValueLinker"/> repaired wrongly copied names. With several candidates (beam search)
/// the choice is execution-guided (<see cref="SqlChoice"/>): by default the first candidate that runs and returns an
/// answer (a row with a non-null value) wins; failing that, the first one that runs; failing that, the model's best.
/// An empty result to a question is far more often a wrong query (a name in the wrong column, a misread condition)
/// than a true "nothing". With <c>questionLiterals</c>, candidates whose string literals the question does not spell
/// are passed over while another candidate runs (<see cref="Choose"/>). With <c>constrainToSchema</c> the model may
/// only write the database's tables and columns where SQL calls for one (<see cref="SqlSchemaConstraint"/>).</summary>
public static class SqlAsker
{
    /// <summary>Answers <paramref name="questions"/> in batches; never throws for bad SQL (the error is in the result).</summary>
    public static IEnumerable<SqlAnswer> Ask(Seq2SeqPipeline pipeline, ReadOnlyDatabase db, IReadOnlyList<string> questions,
        GenerationConfig config, int candidates = 1, int batchSize = 8, bool linkValues = true, SqlChoice choice = SqlChoice.FirstAnswer,
        bool constrainToSchema = false, bool questionLiterals = false)
    {
        using var linker = linkValues ? new SqlValueLinker(db.Path) : null;
        if (candidates < 1) throw new TandemException($"candidates must be at least 1, got {candidates}");
        var c = GenerationConfig.Parse(config.ToJson());
        if (candidates > 1)
        {
            c.NumBeams = Math.Max(c.NumBeams, candidates);
            c.NumReturnSequences = candidates;
        }
        if (constrainToSchema) c.PrefixAllowedTokens = new SqlSchemaConstraint(db.ReadSchema(sampleValues: 0), SqlDetokenizer.WordPiece(pipeline.Tokenizers.Target)).Next;
        foreach (var item in pipeline.Generate(questions, c, batchSize))
        {
            var question = questions[item.Index];
            if (item.Error is not null)
            {
                yield return new SqlAnswer(question, "", new QueryResult { Error = item.Error }, []);
                continue;
            }
            var sqls = item.Sequences.Select(s => ToSql(pipeline, s, question)).Select(s => linker?.Link(s, question) ?? s).ToList();
            var (chosen, result) = Choose(db, sqls, choice, LogProbabilities(item, c), questionLiterals ? question : null);
            yield return new SqlAnswer(question, sqls[chosen], result, sqls);
        }
    }

    /// <summary>Runs <paramref name="candidates"/> (model order) and chooses one by <paramref name="choice"/>; returns
    /// its index and result. With <paramref name="question"/>, candidates whose string literals the question does not
    /// all contain (<see cref="SqlLiterals.AllInQuestion"/>) are only chosen when none of the others runs.</summary>
    /// <param name="db">The database the candidates run on.</param>
    /// <param name="candidates">Candidate queries, the model's best first.</param>
    /// <param name="choice">The rule (<see cref="SqlChoice"/>).</param>
    /// <param name="logProbabilities">Each candidate's summed log-probability, for <see cref="SqlChoice.Vote"/>; without
    /// them every candidate counts alike (a plain majority, ties to the earlier candidate).</param>
    /// <param name="question">The question, to prefer candidates whose literals it spells; null: no preference.</param>
    public static (int Index, QueryResult Result) Choose(ReadOnlyDatabase db, IReadOnlyList<string> candidates,
        SqlChoice choice = SqlChoice.FirstAnswer, IReadOnlyList<double>? logProbabilities = null, string? question = null)
    {
        if (candidates.Count == 0) throw new TandemException("no candidate queries to choose from");
        if (logProbabilities is not null && logProbabilities.Count != candidates.Count)
            throw new TandemException($"{logProbabilities.Count} log-probabilities for {candidates.Count} candidates");
        var results = new QueryResult?[candidates.Count];
        QueryResult Run(int i) => results[i] ??= db.Execute(candidates[i]);
        var all = Enumerable.Range(0, candidates.Count).ToList();
        if (question is not null)
        {
            var faithful = all.Where(i => SqlLiterals.AllInQuestion(candidates[i], question)).ToList();
            if (faithful.Count > 0 && faithful.Count < all.Count && Pick(faithful, Run, choice, logProbabilities) is { Result.Succeeded: true } pick)
                return pick;
        }
        return Pick(all, Run, choice, logProbabilities);
    }

    /// <summary>The rule of <see cref="SqlChoice"/> over the candidates <paramref name="order"/> names, in that order.</summary>
    static (int Index, QueryResult Result) Pick(IReadOnlyList<int> order, Func<int, QueryResult> run, SqlChoice choice,
        IReadOnlyList<double>? logProbabilities)
    {
        int firstRun = -1;
        foreach (int i in order)
        {
            var result = run(i);
            if (!result.Succeeded) continue;
            if (firstRun < 0) firstRun = i;
            if (choice == SqlChoice.FirstRuns || (choice == SqlChoice.FirstAnswer && HasAnswer(result))) return (i, result);
        }
        if (choice == SqlChoice.Vote && Vote(order, run, logProbabilities) is int voted) return (voted, run(voted));
        int chosen = firstRun >= 0 ? firstRun : order[0];
        return (chosen, run(chosen));
    }

    /// <summary>The first candidate of the answering group with the largest probability mass, or null when none answers.</summary>
    static int? Vote(IReadOnlyList<int> order, Func<int, QueryResult> run, IReadOnlyList<double>? logProbabilities)
    {
        var groups = new List<(int First, QueryResult Rows, double Mass)>();
        double top = logProbabilities is null ? 0 : order.Max(i => logProbabilities[i]);
        foreach (int i in order)
        {
            var result = run(i);
            if (!HasAnswer(result) || result.Truncated) continue;
            double mass = logProbabilities is null ? 1 : Math.Exp(logProbabilities[i] - top);
            int g = groups.FindIndex(x => ExecutionMatch.Same(x.Rows, result, ordered: false));
            if (g < 0) groups.Add((i, result, mass));
            else groups[g] = groups[g] with { Mass = groups[g].Mass + mass };
        }
        return groups.Count == 0 ? null : groups.MaxBy(x => x.Mass).First;     // MaxBy keeps the earlier group on a tie
    }

    /// <summary>Summed log-probabilities of a beam's sequences, recovered from the length-normalised scores
    /// (<c>score x generated_length ^ length_penalty</c>, where the generated length counts neither the decoder start
    /// nor a final EOS, as beam search counted it); null without scores.</summary>
    static double[]? LogProbabilities(GeneratedItem item, GenerationConfig config) =>
        item.Scores?.Select((score, i) =>
        {
            var s = item.Sequences[i];
            bool ended = s.Length > 1 && config.EosTokenId is { } eos && eos.Contains((int)s[^1]);
            return score * Math.Pow(Math.Max(1, s.Length - 1 - (ended ? 1 : 0)), config.LengthPenalty);
        }).ToArray();

    /// <summary>Whether <paramref name="result"/> ran and holds at least one non-null value.</summary>
    public static bool HasAnswer(QueryResult result) => result.Succeeded && result.Rows.Any(r => r.Any(v => v is not null));

    /// <summary>The SQL text of a generated sequence.</summary>
    public static string ToSql(Seq2SeqPipeline pipeline, IEnumerable<long> sequence, string question) =>
        SqlDetokenizer.Detokenize(SqlDetokenizer.WordPiece(pipeline.Tokenizers.Target).ConvertIdsToTokens(sequence, skipSpecialTokens: true), question);
}
