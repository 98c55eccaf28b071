using System.Text.Json.Serialization;
using Tandem.Generation;
using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;
using Tandem.Models.Gpt2;
using Tandem.Models.Roberta;

namespace Tandem.Checkpoints;

/// <summary>
/// Serialisation code for the JSON files a model folder holds, written at build time by System.Text.Json's source
/// generator. Reading them by reflection, as the serializer does for a type it has no generated code for, emitted
/// and compiled code at the first read: 87 ms for a MiniLM2MiniLM folder's <c>config.json</c>, most of the start of
/// <c>tandem ask</c> between loading libtorch and building the model. The options that read these files
/// (<see cref="ConfigJson.Options"/>, <see cref="GenerationConfig"/>'s) take this context first and reflection for any
/// other type.
/// </summary>
[JsonSerializable(typeof(BertConfig))]
[JsonSerializable(typeof(RobertaConfig))]
[JsonSerializable(typeof(Gpt2Config))]
[JsonSerializable(typeof(EncoderDecoderConfig))]
[JsonSerializable(typeof(GenerationConfig))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
