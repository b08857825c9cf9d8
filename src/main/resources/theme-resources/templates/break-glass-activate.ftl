<#import "template.ftl" as layout>
<#-- The activation form. Laid out for keycloak.v2 (PatternFly 5) through its kc* properties; the
     PF5 class names below degrade to plain, readable markup under other login themes. -->
<#-- Under a field: the policy's limit, or, after a refused submission, the field's error instead
     (never both: the error says all the help said). The error keeps the id input-error-<field> that
     tests and aria-describedby rely on. -->
<#macro helper field help>
    <div class="${properties.kcFormHelperTextClass!'pf-v5-c-form__helper-text'}">
        <div class="pf-v5-c-helper-text">
            <#if messagesPerField.existsError(field)>
                <div class="${properties.kcInputHelperTextItemClass!'pf-v5-c-helper-text__item'} ${properties.kcError!'pf-m-error'}">
                    <span class="pf-v5-c-helper-text__item-icon"><i class="${properties.kcInputErrorIconClass!'fas fa-exclamation-circle'}" aria-hidden="true"></i></span>
                    <span id="input-error-${field}" class="${properties.kcInputErrorMessageClass!'pf-v5-c-helper-text__item-text'}">${kcSanitize(messagesPerField.get(field))?no_esc}</span>
                </div>
            <#else>
                <div class="${properties.kcInputHelperTextItemClass!'pf-v5-c-helper-text__item'} bg-limit">
                    <span id="${field}-help" class="${properties.kcInputHelperTextItemTextClass!'pf-v5-c-helper-text__item-text'}">${help}</span>
                </div>
            </#if>
        </div>
    </div>
</#macro>
<#macro label field key>
    <div class="${properties.kcFormGroupLabelClass!'pf-v5-c-form__group-label'}">
        <label for="${field}" class="${properties.kcFormLabelClass!'pf-v5-c-form__label'}">
            <span class="${properties.kcFormLabelTextClass!'pf-v5-c-form__label-text'}">${msg(key)}</span>
            <span class="${properties.kcInputRequiredClass!'pf-v5-c-form__label-required'}" aria-hidden="true">&#42;</span>
        </label>
    </div>
</#macro>
<#function described field><#return messagesPerField.existsError(field)?then("input-error-" + field, field + "-help")></#function>
<#function invalid field><#return messagesPerField.existsError(field)?then("true", "false")></#function>
<#-- The first field with an error takes the focus, so a screen reader reads its label and error. -->
<#assign fields = ['reason', 'ticket', 'duration', 'roles']>
<#assign firstError = "">
<#list fields as f><#if firstError == "" && messagesPerField.existsError(f)><#assign firstError = f></#if></#list>
<#function focus field><#return (firstError == field)?then("autofocus", "")></#function>
<#function errorClass field><#return messagesPerField.existsError(field)?then(" " + (properties.kcError!'pf-m-error'), "")></#function>
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('reason','ticket','roles','duration'); section>
<#if section = "header">
    ${msg("breakGlassActivateTitle")}
<#elseif section = "form">
    <link rel="stylesheet" href="${url.resourcesPath}/css/break-glass.css"/>
    <#-- One banner: the emergency one, or for a drill its own wording (real access, but an exercise). -->
    <#assign drill = (breakGlass.drill)!false>
    <div id="bg-banner" class="pf-v5-c-alert pf-m-danger bg-banner<#if drill> bg-banner-drill</#if>" role="region" aria-labelledby="bg-banner-title">
        <div class="pf-v5-c-alert__icon"><i class="${properties.kcFeedbackWarningIcon!'fa fa-fw fa-exclamation-triangle'}" aria-hidden="true"></i></div>
        <#if drill>
            <p id="bg-banner-title" class="pf-v5-c-alert__title"><span id="bg-drill">${msg("breakGlassDrillBannerTitle")}</span></p>
            <div class="pf-v5-c-alert__description"><p>${msg("breakGlassDrillBanner")}</p></div>
        <#else>
            <p id="bg-banner-title" class="pf-v5-c-alert__title">${msg("breakGlassBannerTitle")}</p>
            <div class="pf-v5-c-alert__description"><p>${msg("breakGlassBanner")}</p></div>
        </#if>
    </div>
    <#-- Announced when the page comes back with errors; the errors themselves stand at their fields. -->
    <div id="bg-errors" class="pf-v5-screen-reader" role="alert" aria-live="assertive"><#if firstError != "">${msg("breakGlassFormHasErrors")}</#if></div>

    <form id="bg-activate-form" class="${properties.kcFormClass!} bg-form" action="${url.loginAction}" method="post" novalidate="novalidate">
        <div class="${properties.kcFormGroupClass!}">
            <@label field="reason" key="breakGlassReason"/>
            <span class="${properties.kcInputClass!} pf-m-textarea pf-m-resize-vertical${errorClass('reason')}">
                <textarea id="reason" name="reason" rows="3" maxlength="1000" required ${focus('reason')}
                    aria-describedby="${described('reason')}" aria-invalid="${invalid('reason')}">${breakGlass.reason}</textarea>
            </span>
            <@helper field="reason" help=msg("breakGlassReasonHelp", breakGlass.minReasonLength?c)/>
        </div>

        <div class="${properties.kcFormGroupClass!} bg-half">
            <@label field="ticket" key="breakGlassTicket"/>
            <span class="${properties.kcInputClass!}${errorClass('ticket')}">
                <input id="ticket" name="ticket" type="text" value="${breakGlass.ticket}" maxlength="64" required ${focus('ticket')}
                    placeholder="${breakGlass.ticketExample}" autocomplete="off" autocapitalize="characters" spellcheck="false"
                    aria-describedby="${described('ticket')}" aria-invalid="${invalid('ticket')}"/>
            </span>
            <@helper field="ticket" help=msg("breakGlassTicketHelp", breakGlass.ticketExample)/>
        </div>

        <div class="${properties.kcFormGroupClass!} bg-half">
            <@label field="duration" key="breakGlassDuration"/>
            <span class="${properties.kcInputClass!} bg-duration${errorClass('duration')}">
                <input id="duration" name="duration" type="number" inputmode="numeric" min="1" max="${breakGlass.maxDuration?c}" step="1"
                    value="${breakGlass.duration}" required ${focus('duration')} aria-describedby="${described('duration')}" aria-invalid="${invalid('duration')}"/>
            </span>
            <@helper field="duration" help=msg("breakGlassDurationHelp", breakGlass.maxDuration?c)/>
        </div>

        <div class="${properties.kcFormGroupClass!}" role="group" aria-labelledby="roles-legend" aria-describedby="${described('roles')}">
            <div class="${properties.kcFormGroupLabelClass!'pf-v5-c-form__group-label'}">
                <span id="roles-legend" class="${properties.kcFormLabelClass!'pf-v5-c-form__label'}">
                    <span class="${properties.kcFormLabelTextClass!'pf-v5-c-form__label-text'}">${msg("breakGlassRoles")}</span>
                    <span class="${properties.kcInputRequiredClass!'pf-v5-c-form__label-required'}" aria-hidden="true">&#42;</span>
                </span>
            </div>
            <div class="pf-v5-c-form__group-control bg-roles">
                <#list breakGlass.roles as role>
                    <div class="${properties.kcCheckboxClass!'pf-v5-c-check'} bg-role">
                        <input id="role-${role?index}" name="roles" type="checkbox" value="${role.name}" class="${properties.kcCheckboxInputClass!'pf-v5-c-check__input'}"
                            aria-invalid="${invalid('roles')}" <#if role.selected>checked</#if> <#if role?is_first>${focus('roles')}</#if>/>
                        <label for="role-${role?index}" class="${properties.kcCheckboxLabelClass!'pf-v5-c-check__label'}">${role.name}</label>
                        <#if role.description?has_content><span class="pf-v5-c-check__description">${role.description}</span></#if>
                    </div>
                </#list>
            </div>
            <@helper field="roles" help=msg("breakGlassRolesHelp")/>
        </div>

        <#-- ticketCheck=http: the incident system named this incident open; the responder confirms it
             is the right one before anything is granted. Title escaped, text only. -->
        <#assign incident = (breakGlass.incident)!{}>
        <#if incident.ticket??>
            <div id="bg-incident" class="pf-v5-c-alert pf-m-info pf-m-inline" role="status" data-ticket="${incident.ticket}">
                <p class="pf-v5-c-alert__title">${msg("breakGlassIncidentConfirmTitle")}</p>
                <div class="pf-v5-c-alert__description"><p id="bg-incident-text">${incident.ticket}<#if incident.title?has_content>: ${incident.title}</#if> (${msg("breakGlassIncidentOpen")})</p></div>
            </div>
        </#if>
        <div class="${properties.kcFormGroupClass!}">
            <div id="kc-form-buttons" class="${properties.kcFormActionGroupClass!'pf-v5-c-form__actions'}">
                <#if incident.ticket??>
                <button id="bg-confirm" type="submit" name="confirmIncident" value="${incident.ticket}"
                    class="${properties.kcButtonClass!} ${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!} pf-m-danger">${msg("breakGlassIncidentConfirm")}</button>
                <#else>
                <button id="bg-activate" type="submit"
                    class="${properties.kcButtonClass!} ${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!} pf-m-danger">${msg("breakGlassActivate")}</button>
                </#if>
                <#if isAppInitiatedAction??>
                    <button id="bg-cancel" type="submit" name="cancel-aia" value="true"
                        class="${properties.kcButtonClass!} ${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("doCancel")}</button>
                </#if>
            </div>
        </div>
    </form>
</#if>
</@layout.registrationLayout>
