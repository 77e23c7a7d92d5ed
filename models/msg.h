/*
 * msg.h - the messages models send each other over the network model.
 *
 * Models never call into each other's state: the master, the agents and the
 * frameworks exchange these messages, which the network model delivers as
 * engine events after a link delay (models/network.c). Message bodies live
 * in a pool owned by the world (models/world.c), so sending never mallocs
 * once the pool is warm. A message is freed right after its handler returns.
 *
 * Task descriptors (struct mc__task, world.h) play the part of Mesos's
 * TaskInfo: immutable payload shared by task id. A LAUNCH or RUN_TASK names a
 * batch of tasks as a list threaded through mc__task.batch_next.
 *
 * One OFFER message carries every offer a framework gets from one
 * allocation run (Mesos's ResourceOffersMessage), and one DECLINE carries
 * every offer a decision declines (the Decline call's offer_ids): the first
 * record is the message itself, the others hang off it through `more`.
 * Freeing a message frees its records.
 */
#ifndef MC_MODELS_MSG_H
#define MC_MODELS_MSG_H

#include <stdint.h>

#include "mesocosm/resources.h"
#include "mesocosm/types.h"

enum mc__endpoint { MC__EP_MASTER = 0, MC__EP_AGENT = 1, MC__EP_FRAMEWORK = 2 };

enum mc__msg_type {
	/* agent -> master */
	MC__MSG_REGISTER_AGENT,
	MC__MSG_STATUS_UPDATE,
	MC__MSG_PONG,
	MC__MSG_UPDATE_AGENT, /* a new total (Mesos's UpdateSlaveMessage) */
	/* master -> agent */
	MC__MSG_AGENT_REGISTERED,
	MC__MSG_RUN_TASKS,
	MC__MSG_STATUS_ACK,
	MC__MSG_PING,
	MC__MSG_KILL_TASK,
	/* framework -> master */
	MC__MSG_SUBSCRIBE,
	MC__MSG_ACCEPT,
	MC__MSG_DECLINE,
	MC__MSG_SUPPRESS,
	MC__MSG_REVIVE,
	MC__MSG_ACKNOWLEDGE,
	MC__MSG_EXITED, /* the scheduler's connection closed (it crashed) */
	/* the leader election service -> agents and frameworks */
	MC__MSG_LEADER,
	/* master -> framework */
	MC__MSG_SUBSCRIBED,
	MC__MSG_OFFER,
	MC__MSG_RESCIND,
	MC__MSG_UPDATE,
	MC__MSG_TYPE_COUNT
};

/* Task states, in Mesos's order of a normal life. */
enum mc__task_state {
	MC__TASK_PENDING = 0, /* known to its framework only */
	MC__TASK_STAGING,
	MC__TASK_STARTING,
	MC__TASK_RUNNING,
	MC__TASK_FINISHED,
	MC__TASK_FAILED,
	MC__TASK_KILLED,
	MC__TASK_LOST,
};

static inline int mc__task_state_terminal(int s) { return s >= MC__TASK_FINISHED; }
const char *mc__task_state_name(int s);

struct mc__msg {
	uint8_t type;     /* enum mc__msg_type */
	uint8_t src_kind; /* enum mc__endpoint */
	uint8_t dst_kind;
	uint8_t pad;
	int32_t id;       /* its slot in the world's message pool */
	int32_t src, dst; /* agent or framework id; 0 for the master */
	uint32_t epoch;   /* master epoch (leader generation) the message belongs to */
	int32_t more;     /* OFFER, DECLINE: the next record of a batch (a message
			   * slot that is never sent itself), or -1 */
	union {
		struct { /* OFFER, RESCIND */
			int64_t offer_id;
			int32_t agent;
			int32_t role;
			int32_t rack; /* the agent's rack attribute, interned; -1 unknown */
			struct mc_resources res; /* last: see mc__msg_alloc */
		} offer;
		struct { /* ACCEPT (tasks may be -1: launch nothing), DECLINE */
			int64_t offer_id;
			int32_t tasks;       /* head of a batch list, or -1 */
			mc_time_t refuse;    /* filter duration; 0 = none */
		} reply;
		struct { /* SUPPRESS, REVIVE */
			int32_t role; /* MC_ROLE_NONE = all roles */
		} roles;
		struct { /* SUBSCRIBE */
			int32_t role;
			unsigned capabilities; /* MC_CAP_* of alloc.h */
			mc_time_t failover_timeout; /* FrameworkInfo.failover_timeout; < 0: master's */
		} sub;
		struct { /* RUN_TASKS */
			int32_t tasks; /* head of a batch list */
		} run;
		struct { /* STATUS_UPDATE, UPDATE, STATUS_ACK, ACKNOWLEDGE, KILL_TASK */
			int32_t task;
			uint32_t task_gen;
			uint8_t state; /* KILL_TASK: LOST = drop it without an update */
			uint8_t invalid_offer; /* UPDATE: LOST because the offer was gone */
			int32_t agent;
		} status;
		struct { /* REGISTER_AGENT, UPDATE_AGENT; AGENT_REGISTERED echoes
			  * the registered total and incarnation */
			uint32_t incarnation;
			int32_t rack; /* attribute "rack", interned (mc__attr_intern); -1 none */
			int32_t tasks; /* re-registration: the agent's tasks (agent_next list) */
			struct mc_resources total; /* last: see mc__msg_alloc */
		} reg;
		struct { /* PING, PONG */
			uint64_t seq;
		} ping;
	} u;
};

#endif
