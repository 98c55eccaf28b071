using Tandem.Generation;
using Tandem.Pipelines;

namespace Tandem.Tasks.Sql;

/// <summary>A question answered against a database: the SQL the model wrote and what the database returned.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Sql">The query that was chosen (see <see cref="SqlAsker"/>).</param>
/// <param name="Result">Rows, or the database's error.</param>
/// <param name="Candidates">Every candidate query in model order.</param>
public sealed record SqlAnswer(string Question, string Sql, QueryResult Result, IReadOnlyList<string> Candidates);

/// <summary>English to SQL to rows: generate SQL with a fine-tuned model, rebuild it from word pieces, run it
/// read-only, after <see cref="SqlValueLinker"/> repaired wrongly copied names. With several candidates (beam search)
/// the choice is execution-guided: the first candidate that runs and returns an answer (a row with a non-null value)
/// wins; failing that, the first one that runs; failing that, the model's best. An empty result to a question is far
/// more often a wrong query (a name in the wrong column, a misread condition) than a true "nothing"; pass
/// <c>preferAnswers: false</c> to take the first candidate that merely runs. With <c>constrainToSchema</c> the
/// model may only write the database's tables and columns where SQL calls for one (<see cref="SqlSchemaConstraint"/>).</summary>
public static class SqlAsker
{
    /// <summary>Answers <paramref name="questions"/> in batches; never throws for bad SQL (the error is in the result).</summary>
    public static IEnumerable<SqlAnswer> Ask(Seq2SeqPipeline pipeline, ReadOnlyDatabase db, IReadOnlyList<string> questions,
        GenerationConfig config, int candidates = 1, int batchSize = 8, bool linkValues = true, bool preferAnswers = true,
        bool constrainToSchema = false)
    {
        using var linker = linkValues ? new SqlValueLinker(db.Path) : null;
        if (candidates < 1) throw new TandemException($"candidates must be at least 1, got {candidates}");
        var c = GenerationConfig.Parse(config.ToJson());
        if (candidates > 1)
        {
            c.NumBeams = Math.Max(c.NumBeams, candidates);
            c.NumReturnSequences = candidates;
        }
        if (constrainToSchema) c.PrefixAllowedTokens = new SqlSchemaConstraint(db.ReadSchema(sampleValues: 0), pipeline.Tokenizer).Next;
        foreach (var item in pipeline.Generate(questions, c, batchSize))
        {
            var question = questions[item.Index];
            if (item.Error is not null)
            {
                yield return new SqlAnswer(question, "", new QueryResult { Error = item.Error }, []);
                continue;
            }
            var sqls = item.Sequences.Select(s => ToSql(pipeline, s, question)).Select(s => linker?.Link(s, question) ?? s).ToList();
            var (chosen, result) = Choose(db, sqls, preferAnswers);
            yield return new SqlAnswer(question, sqls[chosen], result, sqls);
        }
    }

    /// <summary>Runs <paramref name="candidates"/> (model order) until one is chosen as described on <see cref="SqlAsker"/>;
    /// returns its index and result.</summary>
    public static (int Index, QueryResult Result) Choose(ReadOnlyDatabase db, IReadOnlyList<string> candidates, bool preferAnswers = true)
    {
        if (candidates.Count == 0) throw new TandemException("no candidate queries to choose from");
        var results = new List<QueryResult>();
        int firstRun = -1;
        for (int i = 0; i < candidates.Count; i++)
        {
            var result = db.Execute(candidates[i]);
            results.Add(result);
            if (!result.Succeeded) continue;
            if (!preferAnswers || HasAnswer(result)) return (i, result);
            if (firstRun < 0) firstRun = i;
        }
        int chosen = Math.Max(firstRun, 0);
        return (chosen, results[chosen]);
    }

    /// <summary>Whether <paramref name="result"/> ran and holds at least one non-null value.</summary>
    public static bool HasAnswer(QueryResult result) => result.Succeeded && result.Rows.Any(r => r.Any(v => v is not null));

    /// <summary>The SQL text of a generated sequence.</summary>
    public static string ToSql(Seq2SeqPipeline pipeline, IEnumerable<long> sequence, string question) =>
        SqlDetokenizer.Detokenize(pipeline.Tokenizer.ConvertIdsToTokens(sequence, skipSpecialTokens: true), question);
}
