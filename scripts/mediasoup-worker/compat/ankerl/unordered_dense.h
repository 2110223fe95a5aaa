/*
 * BranchEdge: stand-in for the header-only ankerl::unordered_dense library
 * (not packaged in Debian bookworm), used by mediasoup-worker for its hash
 * maps. Maps and sets become std::unordered_map/set with a mixing hash.
 * std containers are node-based and slower to iterate; bench:sfu measures the
 * worker as built with this header.
 */
#ifndef BRANCHEDGE_UNORDERED_DENSE_COMPAT_H
#define BRANCHEDGE_UNORDERED_DENSE_COMPAT_H

#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		// 64x64 -> 128 bit multiply folded, as in wyhash: spreads low-entropy keys (ports, SSRCs).
		inline uint64_t mix(uint64_t value) noexcept
		{
			const __uint128_t r = static_cast<__uint128_t>(value) * UINT64_C(0x9E3779B97F4A7C15);
			return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
		}
	} // namespace detail

	template<typename T, typename Enable = void>
	struct hash
	{
		uint64_t operator()(const T& value) const
		{
			return detail::mix(static_cast<uint64_t>(std::hash<T>{}(value)));
		}
	};

	template<typename T>
	struct hash<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>>>
	{
		using is_avalanching = void;
		uint64_t operator()(const T& value) const noexcept
		{
			if constexpr (std::is_enum_v<T>)
				return detail::mix(static_cast<uint64_t>(static_cast<std::underlying_type_t<T>>(value)));
			else if constexpr (std::is_pointer_v<T>)
				return detail::mix(reinterpret_cast<uintptr_t>(value));
			else
				return detail::mix(static_cast<uint64_t>(value));
		}
	};

	template<typename Key, typename T, typename Hash = hash<Key>, typename KeyEqual = std::equal_to<Key>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual>;

	template<typename Key, typename Hash = hash<Key>, typename KeyEqual = std::equal_to<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual>;
} // namespace ankerl::unordered_dense

#endif
