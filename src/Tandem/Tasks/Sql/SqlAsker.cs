using Tandem.Generation;
using Tandem.Pipelines;

namespace Tandem.Tasks.Sql;

/// <summary>A question answered against a database: the SQL the model wrote and what the database returned.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Sql">The query that was run (the first candidate that executed, else the best one).</param>
/// <param name="Result">Rows, or the database's error.</param>
/// <param name="Candidates">Every candidate query in model order.</param>
public sealed record SqlAnswer(string Question, string Sql, QueryResult Result, IReadOnlyList<string> Candidates);

/// <summary>English to SQL to rows: generate SQL with a fine-tuned model, rebuild it from word pieces, run it
/// read-only, after <see cref="SqlValueLinker"/> repaired wrongly copied names. With several candidates (beam search),
/// the first one the database accepts is used (execution-guided decoding).</summary>
public static class SqlAsker
{
    /// <summary>Answers <paramref name="questions"/> in batches; never throws for bad SQL (the error is in the result).</summary>
    public static IEnumerable<SqlAnswer> Ask(Seq2SeqPipeline pipeline, ReadOnlyDatabase db, IReadOnlyList<string> questions,
        GenerationConfig config, int candidates = 1, int batchSize = 8, bool linkValues = true)
    {
        using var linker = linkValues ? new SqlValueLinker(db.Path) : null;
        if (candidates < 1) throw new TandemException($"candidates must be at least 1, got {candidates}");
        var c = GenerationConfig.Parse(config.ToJson());
        if (candidates > 1)
        {
            c.NumBeams = Math.Max(c.NumBeams, candidates);
            c.NumReturnSequences = candidates;
        }
        foreach (var item in pipeline.Generate(questions, c, batchSize))
        {
            var question = questions[item.Index];
            if (item.Error is not null)
            {
                yield return new SqlAnswer(question, "", new QueryResult { Error = item.Error }, []);
                continue;
            }
            var sqls = item.Sequences.Select(s => ToSql(pipeline, s, question)).Select(s => linker?.Link(s, question) ?? s).ToList();
            QueryResult? first = null;
            string chosen = sqls[0];
            QueryResult? chosenResult = null;
            foreach (var sql in sqls)
            {
                var result = db.Execute(sql);
                first ??= result;
                if (result.Succeeded) { chosen = sql; chosenResult = result; break; }
            }
            yield return new SqlAnswer(question, chosen, chosenResult ?? first!, sqls);
        }
    }

    /// <summary>The SQL text of a generated sequence.</summary>
    public static string ToSql(Seq2SeqPipeline pipeline, IEnumerable<long> sequence, string question) =>
        SqlDetokenizer.Detokenize(pipeline.Tokenizer.ConvertIdsToTokens(sequence, skipSpecialTokens: true), question);
}
