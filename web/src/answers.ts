/**
 * The device's answers as types, computed from its route types (AppType) by
 * hono's client types alone: nothing here runs or needs the DOM, so the
 * reducer's tests (Node) and the page share them.
 */
import type { ClientResponse, hc } from 'hono/client'
import type { AppType } from '../../src/device/local-api.js'

export type Client = ReturnType<typeof hc<AppType>>

/** What a call answers when it goes through (its 200 JSON). */
export type Answer<R> =
  R extends ClientResponse<infer T, infer S, 'json'> ? (S extends 200 ? T : never) : never

/** The answer of a client method, e.g. `AnswerOf<Client['v1']['session']['$get']>`. */
export type AnswerOf<F extends (...args: never[]) => unknown> = Answer<Awaited<ReturnType<F>>>

type Chat = Client['v1']['chat']
export type Session = AnswerOf<Client['v1']['session']['$get']>
export type Status = AnswerOf<Chat['status']['$get']>['status']
export type ListedContact = AnswerOf<Chat['contacts']['$get']>['contacts'][number]
export type ContactRequest = AnswerOf<Chat['requests']['$get']>['requests'][number]
export type Transfer = AnswerOf<Client['v1']['files']['$get']>['transfers'][number]
