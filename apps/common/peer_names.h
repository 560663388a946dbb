// Option names of other programs that depthstyle understands, in one table so it can be read
// (and docs/from-peers.md follows it). Args (apps/common/args.h) consults it when a command
// accepts it (stylize and the commands built on its options):
//   - a peer name whose meaning is ours is read as our option, with a note on stderr saying so;
//   - a peer name with no equivalent is an error that says why it is not supported;
//   - some values mean the same under another word (--init random = noise).
// Every spelling of a peer name is found: neural-style's own (-style_image) and the
// double-dash, hyphenated one users type (--style-blend-weights). Our own options are also
// found under single-dash and underscore spellings (-original_colors aside: neural-style's).
// Source of the neural-style names and meanings: jcjohnson/neural-style, README.md ("Usage")
// and neural_style.lua (its cmd:option list).
#pragma once
#include <string>
#include <vector>

namespace ds {
namespace app {

// How a peer's value becomes ours.
enum class PeerValue {
  Same,          // as written
  Flag,          // the peer's option takes no value (or 0/1, read as off/on)
  CommaList,     // "a.jpg,b.jpg": one of our values per item (our option is repeated)
  Pixels256,     // a step in neural-style's pixel units (0..256, its preprocess): divided by 256 for our 0..1
  Gpu,           // neural-style's -gpu N: N >= 0 is cuda:N, -1 is cpu
  BlendWeights,  // per-style weights, normalised to sum 1 as neural-style does
  Colors01,      // -original_colors 0|1: none | recombine
  Seed,          // a seed >= 0 as is; -1 (neural-style: do not seed) is refused: runs here are reproducible
  OneItem,       // a list that must have one item (we take one content layer)
};

struct PeerName {
  const char* peer;  // the peer's spelling, e.g. "-style_image"
  const char* ours;  // our option; "" for the positional argument; nullptr: not supported
  PeerValue value;
  const char* note;  // said when it is used, or (not supported) why not
};

// jcjohnson/neural-style's options, for `stylize` (and the commands that take its options).
const std::vector<PeerName>& neural_style_names();

// Values of our options that mean the same as another word: {option, word, our value, whose word}.
struct ValueAlias {
  const char* option;
  const char* word;
  const char* ours;
  const char* source;
};
const std::vector<ValueAlias>& value_aliases();

// An option name reduced to compare spellings: leading dashes dropped, '_' read as '-',
// lower case ("-style_image" and "--Style-Image" are both "style-image").
std::string spelling_key(const std::string& name);

// The value(s) our option gets for a peer option's value; ds::Error naming the peer option
// when the value cannot be read (e.g. -gpu 0,1: several GPUs).
std::vector<std::string> peer_values(const PeerName& p, const std::string& value);

}  // namespace app
}  // namespace ds
