using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>The <c>post_processor</c> of a <c>tokenizer.json</c> as a <see cref="TokenTemplate"/>.</summary>
internal static class JsonPostProcessors
{
    private const string Supported = "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence";

    public static TokenTemplate Create(JsonComponent? component)
    {
        if (component is not { } c)
            return TokenTemplate.None;
        switch (c.Type)
        {
            case "ByteLevel":
                return TokenTemplate.None;
            case "BertProcessing":
                return TokenTemplate.Bert(TokenId(c, "cls"), TokenId(c, "sep"));
            case "RobertaProcessing":
                return TokenTemplate.Roberta(TokenId(c, "cls"), TokenId(c, "sep"));
            case "TemplateProcessing":
                var specials = c.Object("special_tokens");
                return TokenTemplate.Of(Pieces(c, "single", specials), Pieces(c, "pair", specials));
            case "Sequence":
                var templates = c.Array("processors").EnumerateArray().Select(e => Create(c.Child(e)))
                    .Where(t => t != TokenTemplate.None).ToList();
                return templates.Count <= 1 ? templates.SingleOrDefault() ?? TokenTemplate.None
                    : throw c.Error("Sequence with more than one template is not supported");
            default:
                throw c.Unsupported(Supported);
        }
    }

    // "cls": ["[CLS]", 101]
    private static int TokenId(JsonComponent c, string key)
    {
        var pair = c.Array(key);
        return pair.GetArrayLength() == 2 && pair[1].TryGetInt32(out int id) ? id : throw c.Error($"\"{key}\" is not [token, id]");
    }

    // [ {"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, ... ]
    private static List<TokenTemplate.Piece> Pieces(JsonComponent c, string key, JsonElement specials)
    {
        var pieces = new List<TokenTemplate.Piece>();
        foreach (var item in c.Array(key).EnumerateArray())
        {
            if (item.TryGetProperty("Sequence", out var seq))
            {
                var s = c.Child(seq);
                int slot = s.String("id") switch { "A" => 0, "B" => 1, var other => throw c.Error($"{key}: unknown sequence \"{other}\"") };
                pieces.Add(TokenTemplate.Text(slot, s.Int("type_id") ?? 0));
            }
            else if (item.TryGetProperty("SpecialToken", out var tok))
            {
                var t = c.Child(tok);
                string name = t.String("id") ?? throw c.Error($"{key}: a SpecialToken has no id");
                if (!specials.TryGetProperty(name, out var entry) || !entry.TryGetProperty("ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
                    throw c.Error($"{key}: special token \"{name}\" is not in special_tokens");
                foreach (var id in ids.EnumerateArray())
                    pieces.Add(TokenTemplate.Token(id.GetInt32(), t.Int("type_id") ?? 0));
            }
            else
                throw c.Error($"{key}: an item is neither Sequence nor SpecialToken");
        }
        return pieces;
    }
}
