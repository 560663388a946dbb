// Reading the command line (declared options, peer names, suggestions); the typed values and
// the help text are in args_values.cpp.
#include "apps/common/args.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace ds {
namespace app {

namespace {

// A word that is an option rather than a value: a leading '-' and not a number (-5, -.5, -1e3).
bool looks_like_option(const std::string& w) {
  if (w.size() < 2 || w[0] != '-') return false;
  char* end = nullptr;
  std::strtod(w.c_str(), &end);
  return *end != '\0';
}

// "neural-style's", "pytorch/examples'".
std::string possessive(const std::string& name) { return name + (name.back() == 's' ? "'" : "'s"); }

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

void Args::option(const std::string& name, const std::string& value_name, const std::string& help,
                  const std::string& default_value) {
  if (!declared(name)) order_.push_back(name);
  Opt o;
  o.value_name = value_name, o.help = help, o.def = default_value;
  opts_[name] = o;
}

void Args::optional_value(const std::string& name, const std::string& value_name, const std::string& help,
                          const std::string& default_value, const std::string& implicit,
                          const std::vector<std::string>& choices) {
  option(name, value_name, help, default_value);
  Opt& o = opts_[name];
  o.optional = true, o.implicit = implicit, o.choices = choices;
}

namespace {

// Words of an option name that users write for ours: a loss term's "depth loss" is set by its
// weight here (--depth-weight), neural-style's -num_iterations is --iters.
const std::pair<const char*, const char*> kOtherWords[] = {{"loss", "weight"}, {"iterations", "iters"}};

// `key` (a spelling_key) with each of its '-'-separated words that is another word of ours
// replaced by ours; `key` itself when none is.
std::string with_our_words(const std::string& key) {
  std::string out;
  for (size_t start = 0; start <= key.size();) {
    size_t end = std::min(key.find('-', start), key.size());
    std::string w = key.substr(start, end - start);
    for (const auto& [theirs, ours] : kOtherWords)
      if (w == theirs) w = ours;
    out += (start ? "-" : "") + w;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string Args::suggestion(const std::string& word) const {
  const std::string key = spelling_key(word), ours = with_our_words(key);
  std::string best;
  size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
  auto consider = [&](const std::string& name) {
    const std::string k = spelling_key(name);
    size_t d = std::min(edit_distance(key, k), edit_distance(ours, k));
    if (d < best_d) best_d = d, best = name;
  };
  for (const std::string& n : order_) consider(n);
  if (peers_)
    for (const PeerName& p : *peers_)
      if (p.ours && (!*p.ours || declared(p.ours))) consider(p.peer);
  return best.empty() ? "" : "; did you mean " + best + "?";
}

Args::Target Args::resolve(const std::string& word, std::vector<std::string>& errors) const {
  Target t;
  auto ours = [&](const std::string& name) {
    t.name = name, t.ok = true;
    return t;
  };
  if (declared(word)) return ours(word);
  const PeerName* peer = nullptr;
  std::string key = spelling_key(word);
  if (peers_) {
    for (const PeerName& p : *peers_)
      if (word == p.peer) peer = &p;  // the peer's exact spelling first: -style_weight is neural-style's
  }
  if (!peer) {
    for (const std::string& n : order_)
      if (spelling_key(n) == key && n.size() > 2) return ours(n);  // -original-colors, --style_weight
    if (peers_)
      for (const PeerName& p : *peers_)
        if (spelling_key(p.peer) == key) peer = &p;  // --style-blend-weights, --print-iter
  }
  if (peer && peer->ours && (!*peer->ours || declared(peer->ours))) {
    t.peer = peer, t.ok = true;
    t.positional = !*peer->ours;
    t.name = peer->ours;
    return t;
  }
  if (peer && ignored(*peer)) {
    t.peer = peer, t.ok = true, t.ignored = true;
    return t;
  }
  if (peer && !peer->ours) {
    errors.push_back("option " + word + " (" + possessive(peer->source) + " " + peer->peer + ") is not supported: " + peer->note +
                     " (" + from_peers_doc() + ")");
    return t;
  }
  if (word == "--data") {
    errors.push_back("--data is a global option: give it before the command (depthstyle --data DIR " + command() +
                     " ...)");
    return t;
  }
  // A single dash and a word (-style_image_size) is how the Torch peers spell options: the user
  // probably has a peer's command line, and the page that maps them is the help they need.
  bool peer_like = word.size() > 2 && word[1] != '-' && std::isalpha(static_cast<unsigned char>(word[1]));
  errors.push_back("unknown option '" + word + "'" + suggestion(word) + " (see --help" +
                   (peer_like ? std::string("; another program's options: ") + from_peers_doc() : "") + ")");
  return t;
}

// Our value for a word that means the same (apps/common/peer_names.h value_aliases), or `v`.
std::string Args::alias_value(const std::string& name, const std::string& v, const char** source) const {
  for (const ValueAlias& va : value_aliases())
    if (name == va.option && v == va.word) {
      if (source) *source = va.source;
      return va.ours;
    }
  return v;
}

void Args::take(const std::string& name, const std::string& value) {
  const char* source = nullptr;
  std::string v = alias_value(name, value, &source);
  if (source) std::fprintf(stderr, "note: %s %s read as %s %s (%s)\n", name.c_str(), value.c_str(), name.c_str(), v.c_str(), source);
  given_[name].push_back(v);
}

bool Args::parse(int argc, char** argv) {
  std::vector<std::string> errors;
  bool options_end = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!options_end && (a == "--help" || a == "-h")) {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (!options_end && a == "--") {
      options_end = true;
      continue;
    }
    if (options_end || !looks_like_option(a)) {
      positional_.push_back(a);
      continue;
    }
    std::string word = a, value;
    size_t eq = a.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) word = a.substr(0, eq), value = a.substr(eq + 1);
    Target t = resolve(word, errors);
    if (!t.ok) continue;
    if (t.ignored) {  // its value (if any) is read so it is not taken as an argument
      bool takes_value = t.peer->value == PeerValue::Ignored;
      std::string next = i + 1 < argc ? argv[i + 1] : "";
      if (!has_value && (takes_value ? i + 1 < argc && !looks_like_option(next) : next == "0" || next == "1"))
        value = argv[++i], has_value = true;
      std::fprintf(stderr, "note: %s%s ignored (%s %s): %s\n", word.c_str(), has_value ? (" " + value).c_str() : "",
                   possessive(t.peer->source).c_str(), t.peer->peer, t.peer->note);
      continue;
    }
    const Opt* o = t.positional ? nullptr : &opts_.at(t.name);
    bool flag = o ? o->value_name.empty() : false;
    if (t.peer && t.peer->value == PeerValue::Flag) {  // a peer flag may be followed by 0/1 (neural-style: numbers)
      if (!has_value && i + 1 < argc && (std::string(argv[i + 1]) == "0" || std::string(argv[i + 1]) == "1"))
        value = argv[++i], has_value = true;
      if (has_value && value == "0") continue;
      has_value = false;
    }
    if (flag) {
      if (has_value) errors.push_back("option " + word + " takes no value");
      else given_[t.name].push_back("1");
      continue;
    }
    if (!has_value && o && o->optional) {
      bool next_is_choice = i + 1 < argc && std::find(o->choices.begin(), o->choices.end(), argv[i + 1]) != o->choices.end();
      value = next_is_choice ? argv[++i] : o->implicit;
      if (!next_is_choice && i + 1 < argc && !looks_like_option(argv[i + 1])) {
        std::string choices;
        for (const std::string& c : o->choices) choices += (choices.empty() ? "" : " | ") + c;
        left_words_.push_back("'" + std::string(argv[i + 1]) + "' after " + word + " is not one of its values (" +
                              choices + "), so " + word + " alone means " + o->implicit +
                              " and the word was read as an argument");
      }
    } else if (!has_value) {
      std::string what = o ? o->value_name : "a value";
      if (i + 1 >= argc) {
        errors.push_back("option " + word + " needs a value (" + what + ")");
        continue;
      }
      if (looks_like_option(argv[i + 1])) {
        errors.push_back("option " + word + " needs a value (" + what + "), but the next word is the option '" +
                         argv[i + 1] + "' (for a value that starts with '-', write " + word + "=VALUE)");
        continue;
      }
      value = argv[++i];
    }
    if (t.peer) {
      std::vector<std::string> values;
      try {
        values = peer_values(*t.peer, value);
      } catch (const std::exception& e) {
        errors.push_back(e.what());
        continue;
      }
      std::string shown;
      for (std::string& v : values) {
        if (!t.positional) v = alias_value(t.name, v, nullptr);
        shown += (shown.empty() ? "" : ",") + v;
      }
      std::fprintf(stderr, "note: %s %s read as %s %s (%s)\n", word.c_str(), value.c_str(),
                   t.positional ? "the argument" : t.name.c_str(), shown.c_str(), t.peer->note);
      for (const std::string& v : values) t.positional ? positional_.push_back(v) : given_[t.name].push_back(v);
      continue;
    }
    take(t.name, value);
  }
  if (errors.size() == 1) throw UsageError(errors[0]);
  if (!errors.empty()) {
    std::string all = std::to_string(errors.size()) + " problems with the options:";
    for (const std::string& e : errors) all += "\n  " + e;
    throw UsageError(all);
  }
  return true;
}

bool Args::parse(int argc, char** argv, size_t lo, size_t hi, const std::string& what) {
  if (!parse(argc, argv)) return false;
  expect_positional(lo, hi, what);
  return true;
}

}  // namespace app
}  // namespace ds
