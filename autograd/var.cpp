#include "autograd/var.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <unordered_set>

#include "autograd/profile.h"
#include "tensor/kernels.h"

namespace ds {

static std::atomic<uint64_t> g_seq{0};
static std::atomic<int64_t> g_live{0};
static thread_local bool g_grad_mode = true;

struct Node {
  uint64_t seq = g_seq++;
  const char* op = "leaf";
  bool is_leaf = false;
  bool freed = false;
  std::vector<std::shared_ptr<Node>> inputs;  // null where the input needs no gradient
  BackwardFn backward;
  Tensor grad;  // accumulated gradient of this node's value
  const char* prof_op = nullptr;  // profiling only (autograd/profile.h): the op kind and layer
  int prof_layer = -1;            // its backward is recorded under

  Node() { ++g_live; }
  ~Node() { --g_live; }
};

struct Var::Impl {
  Tensor value;
  std::shared_ptr<Node> node;
};

int64_t live_node_count() { return g_live.load(); }
bool grad_mode_enabled() { return g_grad_mode; }
NoGradGuard::NoGradGuard() : prev_(g_grad_mode) { g_grad_mode = false; }
NoGradGuard::~NoGradGuard() { g_grad_mode = prev_; }

Var::Var(Tensor value, bool requires_grad) : impl_(std::make_shared<Impl>()) {
  if (!value.defined()) throw Error("Var: cannot wrap an undefined tensor");
  impl_->value = std::move(value);
  set_requires_grad(requires_grad);
}

const Tensor& Var::value() const {
  if (!impl_) throw Error("Var: use of an undefined variable");
  return impl_->value;
}

Tensor& Var::value_mut() {
  if (!impl_) throw Error("Var: use of an undefined variable");
  return impl_->value;
}

const std::shared_ptr<Node>& Var::node() const {
  if (!impl_) throw Error("Var: use of an undefined variable");
  return impl_->node;
}

bool Var::requires_grad() const { return impl_ && impl_->node != nullptr; }
bool Var::is_leaf() const { return !impl_ || !impl_->node || impl_->node->is_leaf; }

void Var::set_requires_grad(bool on) {
  if (!is_leaf()) throw Error("set_requires_grad: only leaves (not op results) can be marked");
  if (on && !impl_->node) {
    impl_->node = std::make_shared<Node>();
    impl_->node->is_leaf = true;
  } else if (!on) {
    impl_->node.reset();
  }
}

const Tensor& Var::grad() const {
  static const Tensor none;
  return requires_grad() ? impl_->node->grad : none;
}

void Var::zero_grad() {
  if (requires_grad()) impl_->node->grad = Tensor();
}

bool needs_grad(const Var& x) { return g_grad_mode && x.defined() && x.requires_grad(); }

bool Var::sole_holder() const { return impl_ && impl_.use_count() == 1 && impl_->value.storage_use_count() == 1; }

Var Var::make_result(Tensor value, const char* op, const std::vector<Var>& inputs, BackwardFn fn) {
  Var out;
  out.impl_ = std::make_shared<Impl>();
  out.impl_->value = std::move(value);
  if (!g_grad_mode) return out;
  bool any = false;
  for (const Var& v : inputs) any = any || needs_grad(v);
  if (!any) return out;
  auto node = std::make_shared<Node>();
  node->op = op;
  node->backward = std::move(fn);
  if (profile_enabled()) node->prof_op = profile_node_op(op), node->prof_layer = profile_current_layer();
  node->inputs.reserve(inputs.size());
  for (const Var& v : inputs) node->inputs.push_back(needs_grad(v) ? v.impl_->node : nullptr);
  out.impl_->node = std::move(node);
  return out;
}

// Sum g into an accumulated gradient. In place when nothing but this accumulator holds acc's
// storage (no backward function returned a view of it to anyone else); otherwise a new tensor,
// written in one pass, so that shared tensors are never modified.
static Tensor accumulate(const Tensor& acc, const Tensor& g) {
  if (!acc.defined()) return g;
  check_same_shape("gradient accumulation", acc, g);
  if (acc.storage_use_count() == 1) {
    Tensor sum = acc;
    DS_DISPATCH(sum.device(), add_inplace, sum, g, 1.0f);
    return sum;
  }
  Tensor sum = Tensor::empty(acc.shape(), acc.device());
  DS_DISPATCH(sum.device(), binary_forward, BinOp::Add, acc, g, sum);
  return sum;
}

void Var::backward(bool check_finite) const {
  const Tensor& v = value();
  if (v.numel() != 1) throw Error("backward: needs a scalar (1 element), got shape " + shape_str(v.shape()));
  if (!requires_grad()) throw Error("backward: this value does not depend on anything that requires a gradient");
  if (check_finite && !std::isfinite(v.item())) throw Error("backward: the loss is not finite (" + std::to_string(v.item()) + ")");
  Node* root = impl_->node.get();
  if (root->freed) throw Error("backward: the graph was already freed by an earlier backward()");
  int64_t t_start = profile_enabled() ? profile_clock_ns() : 0;

  // Collect the graph reachable from the root; creation order is a topological order.
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen;
  std::vector<std::shared_ptr<Node>> stack{impl_->node};
  seen.insert(root);
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    for (const auto& in : n->inputs)
      if (in && seen.insert(in.get()).second) stack.push_back(in);
    order.push_back(std::move(n));
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a->seq > b->seq; });

  root->grad = accumulate(root->grad, Tensor::full(v.shape(), 1.0f, v.device()));
  for (auto& n : order) {
    if (n->is_leaf) continue;
    if (n->freed) throw Error(std::string("backward: graph through '") + n->op + "' was already freed");
    if (n->grad.defined()) {
      Grads gs;
      {
        ProfileOp prof(n->prof_op ? n->prof_op : n->op, n->prof_layer);
        gs = n->backward(n->grad);
      }
      if (gs.size() != n->inputs.size())
        throw Error(std::string("backward of '") + n->op + "' returned the wrong number of gradients");
      for (size_t i = 0; i < gs.size(); ++i) {
        if (!n->inputs[i] || !gs[i].defined()) continue;
        Tensor& acc = n->inputs[i]->grad;
        if (!acc.defined()) {
          acc = gs[i];
          continue;
        }
        ProfileOp prof("grad_accumulate", n->prof_layer);  // a real sum: the input feeds several ops
        acc = accumulate(acc, gs[i]);
      }
    }
    n->backward = nullptr;  // frees saved tensors
    n->inputs.clear();
    n->grad = Tensor();
    n->freed = true;
  }
  if (t_start) profile_backward_call(profile_clock_ns() - t_start);
}

}  // namespace ds
