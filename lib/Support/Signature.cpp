//===- Signature.cpp - model I/O signature as JSON ------------------------===//
#include "tdc/Support/Signature.h"

#include <cctype>
#include <cstdio>

namespace tdc {

std::string jsonQuote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

static std::string listJson(const std::vector<TensorSignature> &list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    const auto &t = list[i];
    out += (i ? "," : "");
    out += "{\"name\":" + jsonQuote(t.name) + ",\"dtype\":\"" +
           dtypeName(t.dtype) + "\",\"shape\":[";
    for (size_t d = 0; d < t.shape.size(); ++d)
      out += (d ? "," : "") + std::to_string(t.shape[d]);
    out += "]}";
  }
  return out + "]";
}

std::string ModelSignature::toJson() const {
  return "{\"inputs\":" + listJson(inputs) +
         ",\"outputs\":" + listJson(outputs) + "}";
}

namespace {
// A minimal parser for exactly the JSON that toJson writes.
struct Parser {
  const std::string &s;
  size_t i = 0;
  void ws() {
    while (i < s.size() && std::isspace((unsigned char)s[i]))
      ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool str(std::string &out) {
    if (!eat('"'))
      return false;
    out.clear();
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        if (s[i] == 'u' && i + 4 < s.size()) {
          out += (char)std::stoi(s.substr(i + 1, 4), nullptr, 16);
          i += 5;
          continue;
        }
      }
      out += s[i++];
    }
    return eat('"');
  }
  bool integer(int64_t &v) {
    ws();
    size_t start = i;
    if (i < s.size() && s[i] == '-')
      ++i;
    while (i < s.size() && std::isdigit((unsigned char)s[i]))
      ++i;
    if (start == i)
      return false;
    v = std::stoll(s.substr(start, i - start));
    return true;
  }
  bool tensor(TensorSignature &t) {
    if (!eat('{'))
      return false;
    do {
      std::string key;
      if (!str(key) || !eat(':'))
        return false;
      if (key == "name") {
        if (!str(t.name))
          return false;
      } else if (key == "dtype") {
        std::string d;
        if (!str(d) || !parseDType(d, t.dtype))
          return false;
      } else if (key == "shape") {
        if (!eat('['))
          return false;
        if (!eat(']')) {
          do {
            int64_t v;
            if (!integer(v))
              return false;
            t.shape.push_back(v);
          } while (eat(','));
          if (!eat(']'))
            return false;
        }
      } else {
        return false;
      }
    } while (eat(','));
    return eat('}');
  }
  bool list(std::vector<TensorSignature> &out) {
    if (!eat('['))
      return false;
    if (eat(']'))
      return true;
    do {
      TensorSignature t;
      if (!tensor(t))
        return false;
      out.push_back(t);
    } while (eat(','));
    return eat(']');
  }
};
} // namespace

bool ModelSignature::fromJson(const std::string &json, ModelSignature &out) {
  Parser p{json};
  out = ModelSignature();
  if (!p.eat('{'))
    return false;
  do {
    std::string key;
    if (!p.str(key) || !p.eat(':'))
      return false;
    if (key == "inputs") {
      if (!p.list(out.inputs))
        return false;
    } else if (key == "outputs") {
      if (!p.list(out.outputs))
        return false;
    } else {
      return false;
    }
  } while (p.eat(','));
  return p.eat('}');
}

} // namespace tdc
